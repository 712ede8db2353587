; Inno Setup script of the Windows installer (Inno Setup 6). Builds
; dist\loket-desk-<version>-setup.exe from the one-folder bundle dist\loket-desk\
; (installers/desktop/loket-desk.spec, built on Windows: loket-desk.exe, loket-desk-cli.exe,
; _internal\). The CI workflow .github/workflows/windows-installer.yml runs:
;
;   iscc /DAppVersion=0.1.0 installers\windows\loket-desk.iss
;
; It installs per user (no administrator rights: a clerk can install and update it), into
; %LOCALAPPDATA%\Programs\Loket, with a Start-menu shortcut (and a desktop one if chosen) and an
; uninstaller. The records are NOT in the program folder: each Windows user's data folder is
; %LOCALAPPDATA%\Kemnaker\Loket (platformdirs), made by the program at its first start; the
; installer never lists it, so upgrades and uninstalling keep it ([UninstallDelete] names only
; the program's own files). AppId below never changes: it is how Windows knows a newer setup
; is an upgrade of the same program.
;
; Signing (installers/README.md, "Windows"): with a code-signing certificate, sign the
; programs before packaging and the setup after it, e.g.
;   signtool sign /fd SHA256 /tr http://timestamp.example /td SHA256 /f loket.pfx /p %PFX_PASSWORD% dist\loket-desk\loket-desk.exe dist\loket-desk\loket-desk-cli.exe
;   iscc /DAppVersion=0.1.0 installers\windows\loket-desk.iss
;   signtool sign /fd SHA256 /tr http://timestamp.example /td SHA256 /f loket.pfx /p %PFX_PASSWORD% dist\loket-desk-0.1.0-setup.exe
; or let Inno Setup sign the setup and its uninstaller: define a sign tool named "signtool" in
; the Inno Setup IDE (Tools > Configure Sign Tools) and build with /DSign=1.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define Bundle "..\..\dist\loket-desk"

[Setup]
AppId={{6B0E5C2A-3F7D-4C1B-9E58-2D4A8F1C7B30}
AppName=Loket
AppVersion={#AppVersion}
AppVerName=Loket {#AppVersion}
AppPublisher=Kemnaker
DefaultDirName={autopf}\Loket
DefaultGroupName=Loket
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=loket-desk-{#AppVersion}-setup
SetupIconFile=..\icons\loket-desk.ico
UninstallDisplayIcon={app}\loket-desk.exe
UninstallDisplayName=Loket
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes
#ifdef Sign
SignTool=signtool
SignedUninstaller=yes
#endif

[Languages]
Name: "id"; MessagesFile: "compiler:Languages\Indonesian.isl"
Name: "en"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Files]
Source: "{#Bundle}\loket-desk.exe"; DestDir: "{app}"; Flags: ignoreversion
Source: "{#Bundle}\loket-desk-cli.exe"; DestDir: "{app}"; Flags: ignoreversion
Source: "{#Bundle}\_internal\*"; DestDir: "{app}\_internal"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; an upgrade replaces the bundle's libraries whole (a file the new version no longer ships must
; not linger); this is the program folder only, never the data folder
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{group}\Loket"; Filename: "{app}\loket-desk.exe"
Name: "{group}\{cm:UninstallProgram,Loket}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\Loket"; Filename: "{app}\loket-desk.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\loket-desk.exe"; Description: "{cm:LaunchProgram,Loket}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; the program folder only: the data folder (%LOCALAPPDATA%\Kemnaker\Loket) is kept
Type: filesandordirs; Name: "{app}\_internal"
