<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_GB" sourcelanguage="en">
<context>
    <name>AboutDialog</name>
    <message>
        <source>About</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loket %1</source>
        <translation>Loket %1</translation>
    </message>
    <message>
        <source>Offline registration for the pre-employment training programme, for labour offices and field officers.</source>
        <translation>Offline registration for the pre-employment training programme, for labour offices and field officers.</translation>
    </message>
    <message>
        <source>Data folder: %1</source>
        <translation>Data folder: %1</translation>
    </message>
    <message>
        <source>Administrative areas: idn-area-data 4.0.1 (Kemendagri codes), Open Database License (ODbL).</source>
        <translation>Administrative areas: idn-area-data 4.0.1 (Kemendagri codes), Open Database License (ODbL).</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>Version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Data folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy details</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server address</source>
        <translation type="unfinished">Server address</translation>
    </message>
    <message>
        <source>%1 (not enrolled)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>never</source>
        <translation type="unfinished">never</translation>
    </message>
    <message>
        <source>Device id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Device number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Office</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last sync</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>BundleDialog</name>
    <message>
        <source>Export sync file</source>
        <translation>Export sync file</translation>
    </message>
    <message>
        <source>Import acknowledgement</source>
        <translation>Import acknowledgement</translation>
    </message>
    <message>
        <source>Send a file from another device</source>
        <translation>Send a file from another device</translation>
    </message>
    <message>
        <source>Every record not yet confirmed by the central office is written to one file, encrypted for the server and signed by this device. Take it to the office (on a USB stick, for example). The records stay waiting until the acknowledgement comes back.</source>
        <translation>Every record not yet confirmed by the central office is written to one file, encrypted for the server and signed by this device. Take it to the office (on a USB stick, for example). The records stay waiting until the acknowledgement comes back.</translation>
    </message>
    <message>
        <source>Choose the acknowledgement file (.ack) the central office made for this device. It applies the outcome of every record and the office&apos;s decisions, as a sync would.</source>
        <translation>Choose the acknowledgement file (.ack) the central office made for this device. It applies the outcome of every record and the office&apos;s decisions, as a sync would.</translation>
    </message>
    <message>
        <source>Choose a sync file (.loket) brought from a field laptop of this office. It is sent to the server over this device&apos;s connection; this device cannot read it. The acknowledgement for the laptop is saved here, to take back on the next visit.</source>
        <translation>Choose a sync file (.loket) brought from a field laptop of this office. It is sent to the server over this device&apos;s connection; this device cannot read it. The acknowledgement for the laptop is saved here, to take back on the next visit.</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Export</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>Import</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Send</translation>
    </message>
    <message>
        <source>Save as</source>
        <translation>Save as</translation>
    </message>
    <message>
        <source>File</source>
        <translation>File</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Choose…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>Save the sync file as</source>
        <translation>Save the sync file as</translation>
    </message>
    <message>
        <source>Loket sync files (*.loket)</source>
        <translation>Loket sync files (*.loket)</translation>
    </message>
    <message>
        <source>Choose an acknowledgement file</source>
        <translation>Choose an acknowledgement file</translation>
    </message>
    <message>
        <source>Loket acknowledgements (*.ack)</source>
        <translation>Loket acknowledgements (*.ack)</translation>
    </message>
    <message>
        <source>Choose a sync file</source>
        <translation>Choose a sync file</translation>
    </message>
    <message>
        <source>Choose a file first.</source>
        <translation>Choose a file first.</translation>
    </message>
    <message>
        <source>%1 is a folder: give a file name.</source>
        <translation>%1 is a folder: give a file name.</translation>
    </message>
    <message>
        <source>File not found: %1</source>
        <translation>File not found: %1</translation>
    </message>
    <message>
        <source>Writing the file…</source>
        <translation>Writing the file…</translation>
    </message>
    <message>
        <source>Importing…</source>
        <translation>Importing…</translation>
    </message>
    <message>
        <source>Sending to the server…</source>
        <translation>Sending to the server…</translation>
    </message>
    <message>
        <source>the file %1 could not be read or written</source>
        <translation>the file %1 could not be read or written</translation>
    </message>
    <message>
        <source>an unexpected error (details are in the log)</source>
        <translation>an unexpected error (details are in the log)</translation>
    </message>
    <message>
        <source>The export failed: %1</source>
        <translation>The export failed: %1</translation>
    </message>
    <message>
        <source>The acknowledgement was not imported: %1</source>
        <translation>The acknowledgement was not imported: %1</translation>
    </message>
    <message>
        <source>The file was not sent: %1</source>
        <translation>The file was not sent: %1</translation>
    </message>
    <message>
        <source>Sync file saved: %1</source>
        <translation>Sync file saved: %1</translation>
    </message>
    <message>
        <source>%1 record(s) in %2 batch(es), %3.</source>
        <translation>%1 record(s) in %2 batch(es), %3.</translation>
    </message>
    <message>
        <source>The records stay waiting to be sent until the acknowledgement is imported (or the next sync confirms them).</source>
        <translation>The records stay waiting to be sent until the acknowledgement is imported (or the next sync confirms them).</translation>
    </message>
    <message>
        <source>This acknowledgement was imported before: nothing changed.</source>
        <translation>This acknowledgement was imported before: nothing changed.</translation>
    </message>
    <message>
        <source>Acknowledgement imported: %1 received, %2 flagged, %3 need attention.</source>
        <translation>Acknowledgement imported: %1 received, %2 flagged, %3 need attention.</translation>
    </message>
    <message>
        <source>Changes from the central office applied: %1. Still waiting: %2.</source>
        <translation>Changes from the central office applied: %1. Still waiting: %2.</translation>
    </message>
    <message>
        <source>The server had received this file before (device %1, %2 record(s)).</source>
        <translation>The server had received this file before (device %1, %2 record(s)).</translation>
    </message>
    <message>
        <source>Sent to the server: %1 record(s) of device %2.</source>
        <translation>Sent to the server: %1 record(s) of device %2.</translation>
    </message>
    <message>
        <source>The acknowledgement for that device was saved here: %1</source>
        <translation>The acknowledgement for that device was saved here: %1</translation>
    </message>
    <message>
        <source>Copy it to the field laptop and import it there (Sync &gt; Import acknowledgement…).</source>
        <translation>Copy it to the field laptop and import it there (Sync &gt; Import acknowledgement…).</translation>
    </message>
    <message>
        <source>Send the sync file %1 to the server over this device&apos;s connection? The acknowledgement for the device that made it is saved on this computer.</source>
        <translation>Send the sync file %1 to the server over this device&apos;s connection? The acknowledgement for the device that made it is saved on this computer.</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>Crash</name>
    <message>
        <source>Something went wrong</source>
        <translation type="unfinished">Something went wrong</translation>
    </message>
    <message>
        <source>Something went wrong and that action did not finish. What was already saved is safe. If it happens again, tell the helpdesk: the details are in the app&apos;s log.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DraftsView</name>
    <message>
        <source>Unfinished forms kept on this device. They are not sent to the server.</source>
        <translation>Unfinished forms kept on this device. They are not sent to the server.</translation>
    </message>
    <message>
        <source>Drafts</source>
        <translation>Drafts</translation>
    </message>
    <message>
        <source>Last changed</source>
        <translation>Last changed</translation>
    </message>
    <message>
        <source>NIK</source>
        <translation>NIK</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>Operator</translation>
    </message>
    <message>
        <source>Resume (Enter)</source>
        <translation>Resume (Enter)</translation>
    </message>
    <message>
        <source>Delete (Del)</source>
        <translation>Delete (Del)</translation>
    </message>
    <message>
        <source>Delete draft</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete the draft of %1? What was typed is lost.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete this draft? What was typed is lost.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>EnrollDialog</name>
    <message>
        <source>Enroll this device</source>
        <extracomment>the failures where the panel &quot;what to do when the server cannot be reached&quot; is shown</extracomment>
        <translation>Enroll this device</translation>
    </message>
    <message>
        <source>Step 2 of 2: connect this computer to the server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The first operator is ready. Now connect this computer to the programme&apos;s server, once: type the server&apos;s address and the one-time code you received from the central office (on paper or by message), then click Enroll. This needs the network; after it, the app also works without one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect this computer to the programme&apos;s server so registrations are sent automatically. Ask the central office for a one-time enrollment code.</source>
        <translation>Connect this computer to the programme&apos;s server so registrations are sent automatically. Ask the central office for a one-time enrollment code.</translation>
    </message>
    <message>
        <source>for example https://loket.kemnaker.go.id</source>
        <translation>for example https://loket.kemnaker.go.id</translation>
    </message>
    <message>
        <source>One-time code from the console</source>
        <translation>One-time code from the console</translation>
    </message>
    <message>
        <source>Optional: the office&apos;s certificate file (.pem)</source>
        <translation>Optional: the office&apos;s certificate file (.pem)</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Browse…</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>Server address</translation>
    </message>
    <message>
        <source>Enrollment code</source>
        <translation>Enrollment code</translation>
    </message>
    <message>
        <source>CA bundle</source>
        <translation>CA bundle</translation>
    </message>
    <message>
        <source>If you skip this step: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enroll</source>
        <translation>Enroll</translation>
    </message>
    <message>
        <source>Skip for now (enroll later)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Work offline for now</source>
        <translation>Work offline for now</translation>
    </message>
    <message>
        <source>Certificate file</source>
        <translation>Certificate file</translation>
    </message>
    <message>
        <source>Certificates (*.pem *.crt);;All files (*)</source>
        <translation>Certificates (*.pem *.crt);;All files (*)</translation>
    </message>
    <message>
        <source>What you can do:
• Check that this computer is on the network (the cable is plugged in, or the Wi-Fi is connected), then click Enroll again.
• Or continue offline and enroll later: menu Sync, Enroll device.
• If it still does not work, call the office&apos;s IT staff and tell them the server address: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enrolling…</source>
        <translation>Enrolling…</translation>
    </message>
    <message>
        <source>Enter the server address, starting with https://</source>
        <translation>Enter the server address, starting with https://</translation>
    </message>
    <message>
        <source>Enter the enrollment code.</source>
        <translation>Enter the enrollment code.</translation>
    </message>
    <message>
        <source>The device could not be enrolled. The details are in the app&apos;s log.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>EnrollNeededDialog</name>
    <message>
        <source>Device not enrolled</source>
        <translation type="unfinished">Device not enrolled</translation>
    </message>
    <message>
        <source>Not saved: this device is not enrolled yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enroll device…</source>
        <translation type="unfinished">Enroll device…</translation>
    </message>
    <message>
        <source>Keep as draft</source>
        <translation type="unfinished">Keep as draft</translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished">Close</translation>
    </message>
</context>
<context>
    <name>FormFields</name>
    <message>
        <source>(choose)</source>
        <translation>(choose)</translation>
    </message>
    <message>
        <source>Street, house number</source>
        <translation>Street, house number</translation>
    </message>
    <message>
        <source>Optional</source>
        <translation>Optional</translation>
    </message>
    <message>
        <source>Identity</source>
        <translation>Identity</translation>
    </message>
    <message>
        <source>NIK</source>
        <translation>NIK</translation>
    </message>
    <message>
        <source>16 digits from the ID card</source>
        <translation>16 digits from the ID card</translation>
    </message>
    <message>
        <source>Family card number (KK)</source>
        <translation>Family card number (KK)</translation>
    </message>
    <message>
        <source>16 digits from the family card</source>
        <translation>16 digits from the family card</translation>
    </message>
    <message>
        <source>Full name</source>
        <translation>Full name</translation>
    </message>
    <message>
        <source>As written on the ID card</source>
        <translation>As written on the ID card</translation>
    </message>
    <message>
        <source>Place of birth</source>
        <translation>Place of birth</translation>
    </message>
    <message>
        <source>Date of birth</source>
        <translation>Date of birth</translation>
    </message>
    <message>
        <source>YYYY-MM-DD</source>
        <translation>YYYY-MM-DD</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>Sex</translation>
    </message>
    <message>
        <source>Mother&apos;s maiden name</source>
        <translation>Mother&apos;s maiden name</translation>
    </message>
    <message>
        <source>Contact</source>
        <translation>Contact</translation>
    </message>
    <message>
        <source>Mobile phone</source>
        <translation>Mobile phone</translation>
    </message>
    <message>
        <source>e.g. 0812 3456 7890</source>
        <translation>e.g. 0812 3456 7890</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>Email</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Address</translation>
    </message>
    <message>
        <source>Street address</source>
        <translation>Street address</translation>
    </message>
    <message>
        <source>RT</source>
        <translation>RT</translation>
    </message>
    <message>
        <source>RW</source>
        <translation>RW</translation>
    </message>
    <message>
        <source>Village</source>
        <translation>Village</translation>
    </message>
    <message>
        <source>Postal code</source>
        <translation>Postal code</translation>
    </message>
    <message>
        <source>Domicile</source>
        <translation>Domicile</translation>
    </message>
    <message>
        <source>Lives at the address on the ID card</source>
        <translation>Lives at the address on the ID card</translation>
    </message>
    <message>
        <source>Domicile street address</source>
        <translation>Domicile street address</translation>
    </message>
    <message>
        <source>Domicile RT</source>
        <translation>Domicile RT</translation>
    </message>
    <message>
        <source>Domicile RW</source>
        <translation>Domicile RW</translation>
    </message>
    <message>
        <source>Domicile village</source>
        <translation>Domicile village</translation>
    </message>
    <message>
        <source>Domicile postal code</source>
        <translation>Domicile postal code</translation>
    </message>
    <message>
        <source>Profile</source>
        <translation>Profile</translation>
    </message>
    <message>
        <source>Last education</source>
        <translation>Last education</translation>
    </message>
    <message>
        <source>Employment status</source>
        <translation>Employment status</translation>
    </message>
    <message>
        <source>Disability</source>
        <translation>Disability</translation>
    </message>
    <message>
        <source>Former migrant worker</source>
        <translation>Former migrant worker</translation>
    </message>
    <message>
        <source>Has worked abroad as a migrant worker</source>
        <translation>Has worked abroad as a migrant worker</translation>
    </message>
    <message>
        <source>Skills of interest</source>
        <translation>Skills of interest</translation>
    </message>
    <message>
        <source>Arrow keys move, Space ticks a skill</source>
        <translation>Arrow keys move, Space ticks a skill</translation>
    </message>
    <message>
        <source>Reason for joining</source>
        <translation>Reason for joining</translation>
    </message>
    <message>
        <source>In the applicant&apos;s words</source>
        <translation>In the applicant&apos;s words</translation>
    </message>
    <message>
        <source>Declaration and consent</source>
        <translation>Declaration and consent</translation>
    </message>
    <message>
        <source>Declaration</source>
        <translation>Declaration</translation>
    </message>
    <message>
        <source>The applicant makes this declaration</source>
        <translation>The applicant makes this declaration</translation>
    </message>
    <message>
        <source>Consent</source>
        <translation>Consent</translation>
    </message>
    <message>
        <source>The applicant consents (consent text version %1)</source>
        <translation>The applicant consents (consent text version %1)</translation>
    </message>
    <message>
        <source>The applicant declares that they are not in formal education and are not a civil servant, soldier, police officer, village head or village official, or director or commissioner of a state-owned enterprise.</source>
        <translation>The applicant declares that they are not in formal education and are not a civil servant, soldier, police officer, village head or village official, or director or commissioner of a state-owned enterprise.</translation>
    </message>
</context>
<context>
    <name>ImportDialog</name>
    <message>
        <source>Import paper forms</source>
        <translation>Import paper forms</translation>
    </message>
    <message>
        <source>Choose a CSV file typed from paper forms (columns as in the template). Valid rows are saved; rejected rows are written to an error file with the reasons.</source>
        <translation>Choose a CSV file typed from paper forms (columns as in the template). Valid rows are saved; rejected rows are written to an error file with the reasons.</translation>
    </message>
    <message>
        <source>CSV file</source>
        <translation>CSV file</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Choose…</translation>
    </message>
    <message>
        <source>Error file</source>
        <translation>Error file</translation>
    </message>
    <message>
        <source>Next to the CSV file, ending in .errors.csv</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only check, do not save (dry run)</source>
        <translation>Only check, do not save (dry run)</translation>
    </message>
    <message>
        <source>Rejected rows</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Row</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Field</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import</source>
        <translation>Import</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>Choose a CSV file</source>
        <translation>Choose a CSV file</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV files (*.csv)</translation>
    </message>
    <message>
        <source>File not found: %1</source>
        <translation>File not found: %1</translation>
    </message>
    <message>
        <source>Importing…</source>
        <translation>Importing…</translation>
    </message>
    <message numerus="yes">
        <source>%n row(s) checked: %1 valid, %2 already present, %3 rejected.</source>
        <translation>
            <numerusform>%n row checked: %1 valid, %2 already present, %3 rejected.</numerusform>
            <numerusform>%n rows checked: %1 valid, %2 already present, %3 rejected.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n row(s) read: %1 saved, %2 already present, %3 rejected.</source>
        <translation>
            <numerusform>%n row read: %1 saved, %2 already present, %3 rejected.</numerusform>
            <numerusform>%n rows read: %1 saved, %2 already present, %3 rejected.</numerusform>
        </translation>
    </message>
    <message>
        <source>Rejected rows and their reasons: %1</source>
        <translation>Rejected rows and their reasons: %1</translation>
    </message>
    <message>
        <source>(whole row)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the file %1 could not be read or written</source>
        <translation type="unfinished">the file %1 could not be read or written</translation>
    </message>
    <message>
        <source>an unexpected error (details are in the log)</source>
        <translation type="unfinished">an unexpected error (details are in the log)</translation>
    </message>
    <message>
        <source>The import failed: %1</source>
        <translation>The import failed: %1</translation>
    </message>
</context>
<context>
    <name>LoginView</name>
    <message>
        <source>Operator login</source>
        <extracomment>(username, password, authorising operator, their password)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loket</source>
        <translation>Loket</translation>
    </message>
    <message>
        <source>Pre-employment training programme registration</source>
        <translation>Pre-employment training programme registration</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>User name</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Password</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Language</translation>
    </message>
    <message>
        <source>Full name</source>
        <translation type="unfinished">Full name</translation>
    </message>
    <message>
        <source>Repeat the password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Authorising operator</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Authorising operator&apos;s password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Their password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>Log in</translation>
    </message>
    <message>
        <source>Welcome to Loket</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This computer is new to Loket. Two short steps get it ready, here in the app:
1. Create the first operator: your user name and a password (at least 8 characters). The password also protects the data on this computer, so keep it safe.
2. Connect this computer to the server with the one-time code from the central office. This can also be done later.
Then you log in and start registering.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Step 1 of 2: the first operator</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Creating the operator and the encrypted database…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>Checking…</translation>
    </message>
    <message>
        <source>Create the first operator</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No operator account exists on this computer yet. Create the first one: its password protects the encrypted database (at least 8 characters).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter your password again, and let another operator who has logged in on this computer before enter their name and password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Locked after a period without use. %1 or another operator can unlock.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No operator account exists on this computer yet. Create one with: loket-desk add-operator NAME</source>
        <translation>No operator account exists on this computer yet. Create one with: loket-desk add-operator NAME</translation>
    </message>
</context>
<context>
    <name>LoketApp</name>
    <message>
        <source>The local database cannot be opened: %1</source>
        <extracomment>``false``: do not offer the enroll dialog at start on a device not enrolled</extracomment>
        <translation>The local database cannot be opened: %1</translation>
    </message>
    <message>
        <source>The local database cannot be opened. The details are in the app&apos;s log.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Login is not possible right now. The details are in the app&apos;s log.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>receipts are not kept in Loket&apos;s data folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loket is already open for this data folder in another window. Use that window, or close it first.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Registration — %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New registration</source>
        <translation>New registration</translation>
    </message>
    <message>
        <source>Registrations</source>
        <translation>Registrations</translation>
    </message>
    <message>
        <source>Drafts</source>
        <translation>Drafts</translation>
    </message>
    <message>
        <source>Screens</source>
        <translation>Screens</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <source>Import paper forms…</source>
        <translation>Import paper forms…</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>Log out</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Quit</translation>
    </message>
    <message>
        <source>Print settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Registration</source>
        <translation>&amp;Registration</translation>
    </message>
    <message>
        <source>New applicant</source>
        <translation>New applicant</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Save</translation>
    </message>
    <message>
        <source>Keep as draft</source>
        <translation>Keep as draft</translation>
    </message>
    <message>
        <source>Daily tally…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Review before saving</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;View</translation>
    </message>
    <message>
        <source>Registration form</source>
        <translation>Registration form</translation>
    </message>
    <message>
        <source>Registration list</source>
        <translation>Registration list</translation>
    </message>
    <message>
        <source>Search registrations</source>
        <translation>Search registrations</translation>
    </message>
    <message>
        <source>S&amp;ync</source>
        <translation>S&amp;ync</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <source>About Loket</source>
        <translation>About Loket</translation>
    </message>
    <message>
        <source>Language</source>
        <translation type="unfinished">Language</translation>
    </message>
    <message>
        <source>Operator: %1</source>
        <translation>Operator: %1</translation>
    </message>
    <message>
        <source>Returned and rejected records…</source>
        <extracomment>Issue 5 (sync client) puts its connection / progress / &quot;sync now&quot; widget here.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sync history…</source>
        <translation>Sync history…</translation>
    </message>
    <message>
        <source>Enroll device…</source>
        <translation>Enroll device…</translation>
    </message>
    <message>
        <source>Export sync file…</source>
        <translation>Export sync file…</translation>
    </message>
    <message>
        <source>Import acknowledgement…</source>
        <translation>Import acknowledgement…</translation>
    </message>
    <message>
        <source>Send a file from another device…</source>
        <translation>Send a file from another device…</translation>
    </message>
    <message>
        <source>%1 record(s) in transit by file since %2</source>
        <translation>%1 record(s) in transit by file since %2</translation>
    </message>
    <message>
        <source>%1 record(s) in transit by file</source>
        <translation>%1 record(s) in transit by file</translation>
    </message>
    <message>
        <source>Sync files exported and not yet acknowledged: %1</source>
        <translation>Sync files exported and not yet acknowledged: %1</translation>
    </message>
    <message>
        <source>Office %1</source>
        <translation type="unfinished">Office %1</translation>
    </message>
    <message>
        <source>Waiting to be sent: %1</source>
        <translation>Waiting to be sent: %1</translation>
    </message>
    <message>
        <source>This NIK is already registered on this device: opening the existing record.</source>
        <translation>This NIK is already registered on this device: opening the existing record.</translation>
    </message>
</context>
<context>
    <name>NikDuplicate</name>
    <message>
        <source>Open the existing record (Ctrl+O)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This NIK is already registered on this device: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This NIK is already registered in this office (another counter): %1.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>NikHint</name>
    <message>
        <source>What the NIK says</source>
        <translation>What the NIK says</translation>
    </message>
    <message>
        <source>district code %1 (not in the region list)</source>
        <translation>district code %1 (not in the region list)</translation>
    </message>
    <message>
        <source>not a real date</source>
        <translation>not a real date</translation>
    </message>
    <message>
        <source>The NIK says: born %1, %2, registered in %3.</source>
        <translation>The NIK says: born %1, %2, registered in %3.</translation>
    </message>
    <message>
        <source>Date of birth and sex were filled in from the NIK; check them.</source>
        <translation>Date of birth and sex were filled in from the NIK; check them.</translation>
    </message>
    <message>
        <source>Date of birth was filled in from the NIK; check it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sex was filled in from the NIK; check it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Place of birth suggested from the NIK&apos;s regency; type over it if the applicant was born elsewhere.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disagrees: date of birth typed as %1.</source>
        <translation>Disagrees: date of birth typed as %1.</translation>
    </message>
    <message>
        <source>Disagrees: sex chosen as %1.</source>
        <translation>Disagrees: sex chosen as %1.</translation>
    </message>
</context>
<context>
    <name>PrintSettingsDialog</name>
    <message>
        <source>Print settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A5 sheet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A4 sheet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Thermal roll 80 mm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Thermal roll 58 mm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The system&apos;s default printer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The print dialog opens on this printer; the printer chosen there is remembered for the next receipt.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Receipt paper</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Printer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save</source>
        <translation type="unfinished">Save</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished">Cancel</translation>
    </message>
</context>
<context>
    <name>Printing</name>
    <message>
        <source>Print</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReceiptDialog</name>
    <message>
        <source>Receipt</source>
        <translation>Receipt</translation>
    </message>
    <message>
        <source>Saved. Registration code: %1</source>
        <translation>Saved. Registration code: %1</translation>
    </message>
    <message>
        <source>%1, NIK %2</source>
        <translation>%1, NIK %2</translation>
    </message>
    <message>
        <source>Save the receipt as</source>
        <translation>Save the receipt as</translation>
    </message>
    <message>
        <source>Receipt file</source>
        <translation>Receipt file</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Choose…</translation>
    </message>
    <message>
        <source>Save PDF (Enter)</source>
        <translation>Save PDF (Enter)</translation>
    </message>
    <message>
        <source>Print…</source>
        <translation>Print…</translation>
    </message>
    <message>
        <source>Open PDF</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Next applicant (Esc)</source>
        <translation>Next applicant (Esc)</translation>
    </message>
    <message>
        <source>PDF files (*.pdf)</source>
        <translation>PDF files (*.pdf)</translation>
    </message>
    <message>
        <source>Receipts are not kept in Loket&apos;s data folder: choose another folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The receipt could not be written to %1. Choose another folder (this one may be read-only or full).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Receipt saved: %1</source>
        <translation>Receipt saved: %1</translation>
    </message>
</context>
<context>
    <name>RecordView</name>
    <message>
        <source>Registration %1</source>
        <extracomment>Room a window manager takes around a window: frame (width) and title bar (height).</extracomment>
        <translation>Registration %1</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>Status: %1 · revision %2 · channel %3</source>
        <translation>Status: %1 · revision %2 · channel %3</translation>
    </message>
    <message>
        <source>Record details</source>
        <translation>Record details</translation>
    </message>
    <message>
        <source>Revision history</source>
        <translation>Revision history</translation>
    </message>
    <message>
        <source>Revision</source>
        <translation>Revision</translation>
    </message>
    <message>
        <source>Saved at</source>
        <translation>Saved at</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>Operator</translation>
    </message>
    <message>
        <source>Changed fields</source>
        <translation>Changed fields</translation>
    </message>
    <message>
        <source>(first revision)</source>
        <translation>(first revision)</translation>
    </message>
    <message>
        <source>The server reported a conflict for this record; it is kept as it is until someone resolves it.</source>
        <translation>The server reported a conflict for this record; it is kept as it is until someone resolves it.</translation>
    </message>
    <message>
        <source>Edit (creates a new revision)</source>
        <translation>Edit (creates a new revision)</translation>
    </message>
    <message>
        <source>A reviewer has decided on this record: it can no longer be changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Receipt…</source>
        <translation>Receipt…</translation>
    </message>
    <message>
        <source>Reprint receipt…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>Next</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reviewer&apos;s note: %1</source>
        <translation>Reviewer&apos;s note: %1</translation>
    </message>
    <message>
        <source>Returned for correction: edit the record and save it; it is sent again as a new revision.</source>
        <translation>Returned for correction: edit the record and save it; it is sent again as a new revision.</translation>
    </message>
    <message>
        <source>Reason for rejection: %1</source>
        <translation>Reason for rejection: %1</translation>
    </message>
    <message>
        <source>Possibly the same person as registration %1</source>
        <translation>Possibly the same person as registration %1</translation>
    </message>
    <message>
        <source>Changed elsewhere: another device of the office saved revision %1 of this record; this is that revision.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server did not accept this revision. Correct the record and save it again:</source>
        <translation>The server did not accept this revision. Correct the record and save it again:</translation>
    </message>
    <message>
        <source>Conflict: the server holds revision %1 of this record, changed elsewhere. Nothing was overwritten; check the record and save it again, or ask the central office.</source>
        <translation>Conflict: the server holds revision %1 of this record, changed elsewhere. Nothing was overwritten; check the record and save it again, or ask the central office.</translation>
    </message>
    <message>
        <source>From the server</source>
        <translation>From the server</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>Yes</translation>
    </message>
    <message>
        <source>No</source>
        <translation>No</translation>
    </message>
</context>
<context>
    <name>RegistrationFormView</name>
    <message>
        <source>Form status</source>
        <translation>Form status</translation>
    </message>
    <message>
        <source>New applicant (Ctrl+N)</source>
        <translation>New applicant (Ctrl+N)</translation>
    </message>
    <message>
        <source>Keep as draft (Ctrl+Shift+S)</source>
        <translation>Keep as draft (Ctrl+Shift+S)</translation>
    </message>
    <message>
        <source>Save (Ctrl+S)</source>
        <translation>Save (Ctrl+S)</translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The changes to %1 are not saved yet. Save them?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save</source>
        <translation type="unfinished">Save</translation>
    </message>
    <message>
        <source>Discard the changes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Back to the form</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>Saving…</translation>
    </message>
    <message>
        <source>Not saved: this device is not enrolled yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This NIK is already registered on this device.</source>
        <translation>This NIK is already registered on this device.</translation>
    </message>
    <message>
        <source>Not saved: fix the problems listed.</source>
        <translation>Not saved: fix the problems listed.</translation>
    </message>
    <message>
        <source>Saved: %1</source>
        <translation>Saved: %1</translation>
    </message>
    <message>
        <source>Not saved.</source>
        <translation>Not saved.</translation>
    </message>
    <message>
        <source>Kept as a draft.</source>
        <translation>Kept as a draft.</translation>
    </message>
    <message>
        <source>The unfinished form was kept as a draft.</source>
        <translation>The unfinished form was kept as a draft.</translation>
    </message>
    <message>
        <source>Editing %1 (will be saved as revision %2)</source>
        <extracomment>The status line&apos;s look per tone: saved in green, a failure in red, anything else plain.</extracomment>
        <translation>Editing %1 (will be saved as revision %2)</translation>
    </message>
    <message>
        <source>New applicant (resumed draft)</source>
        <translation>New applicant (resumed draft)</translation>
    </message>
    <message>
        <source>New applicant</source>
        <translation>New applicant</translation>
    </message>
</context>
<context>
    <name>RegistrationListView</name>
    <message>
        <source>Search by NIK, name, phone or code (Ctrl+F)</source>
        <translation>Search by NIK, name, phone or code (Ctrl+F)</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>Search</translation>
    </message>
    <message>
        <source>Search registrations</source>
        <translation>Search registrations</translation>
    </message>
    <message>
        <source>All statuses</source>
        <translation>All statuses</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Filter by status</source>
        <translation>Filter by status</translation>
    </message>
    <message>
        <source>Registered between</source>
        <translation>Registered between</translation>
    </message>
    <message>
        <source>Filter by registration date</source>
        <translation>Filter by registration date</translation>
    </message>
    <message>
        <source>From date</source>
        <translation>From date</translation>
    </message>
    <message>
        <source>To date</source>
        <translation>To date</translation>
    </message>
    <message>
        <source>and</source>
        <translation>and</translation>
    </message>
    <message>
        <source>Registrations</source>
        <translation>Registrations</translation>
    </message>
    <message numerus="yes">
        <source>%Ln registration(s)</source>
        <translation>
            <numerusform>%Ln registration</numerusform>
            <numerusform>%Ln registrations</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RegistrationTableModel</name>
    <message>
        <source>Registration code</source>
        <translation>Registration code</translation>
    </message>
    <message>
        <source>NIK</source>
        <translation>NIK</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Phone</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Registered at</source>
        <translation>Registered at</translation>
    </message>
    <message>
        <source>Revision</source>
        <translation>Revision</translation>
    </message>
</context>
<context>
    <name>RelativeTime</name>
    <message>
        <source>never</source>
        <extracomment>Progress bar appears only after a sync has lasted this long. At most this often the bar is repainted from the (possibly very chatty) progress.</extracomment>
        <translation>never</translation>
    </message>
    <message>
        <source>just now</source>
        <translation>just now</translation>
    </message>
    <message>
        <source>1 minute ago</source>
        <translation>1 minute ago</translation>
    </message>
    <message>
        <source>%1 minutes ago</source>
        <translation>%1 minutes ago</translation>
    </message>
    <message>
        <source>1 hour ago</source>
        <translation>1 hour ago</translation>
    </message>
    <message>
        <source>%1 hours ago</source>
        <translation>%1 hours ago</translation>
    </message>
    <message>
        <source>yesterday</source>
        <translation>yesterday</translation>
    </message>
    <message>
        <source>%1 days ago</source>
        <translation>%1 days ago</translation>
    </message>
</context>
<context>
    <name>ReturnedBadge</name>
    <message>
        <source>Records returned or rejected by the central office</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 returned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 rejected</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReturnedListDialog</name>
    <message>
        <source>Returned and rejected records</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Correct each returned record and save it again; tell the applicant of a rejection. Open one with Enter; in the record, “Next” goes on.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished">Name</translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished">Status</translation>
    </message>
    <message>
        <source>Note or reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished">Close</translation>
    </message>
</context>
<context>
    <name>ReviewDialog</name>
    <message>
        <source>Check with the applicant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read this back to the applicant. Enter saves; Esc goes back to the form.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save (Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Back to the form (Esc)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Yes</source>
        <translation type="unfinished">Yes</translation>
    </message>
    <message>
        <source>No</source>
        <translation type="unfinished">No</translation>
    </message>
</context>
<context>
    <name>SaveProblemsDialog</name>
    <message>
        <source>Not saved yet</source>
        <translation>Not saved yet</translation>
    </message>
    <message>
        <source>The record was not saved. Please fix these %1 problems:</source>
        <translation>The record was not saved. Please fix these %1 problems:</translation>
    </message>
    <message>
        <source>Problems</source>
        <translation>Problems</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Go to the field</source>
        <translation>Go to the field</translation>
    </message>
</context>
<context>
    <name>SyncHistoryView</name>
    <message>
        <source>Sync history</source>
        <translation>Sync history</translation>
    </message>
    <message>
        <source>Each attempt to send and receive, newest first.</source>
        <translation>Each attempt to send and receive, newest first.</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>Started</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Duration</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>Outcome</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Sent</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>Accepted</translation>
    </message>
    <message>
        <source>Need attention</source>
        <translation>Need attention</translation>
    </message>
    <message>
        <source>Bytes sent</source>
        <translation>Bytes sent</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>Problem</translation>
    </message>
    <message>
        <source>No sync has been attempted yet.</source>
        <translation>No sync has been attempted yet.</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
</context>
<context>
    <name>SyncOutcome</name>
    <message>
        <source>Succeeded</source>
        <translation>Succeeded</translation>
    </message>
    <message>
        <source>Partly sent</source>
        <translation>Partly sent</translation>
    </message>
    <message>
        <source>Server unreachable</source>
        <translation>Server unreachable</translation>
    </message>
    <message>
        <source>Refused</source>
        <translation>Refused</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Cancelled</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>Running</translation>
    </message>
</context>
<context>
    <name>SyncStatusWidget</name>
    <message>
        <source>Sync progress</source>
        <translation>Sync progress</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>Sync now</translation>
    </message>
    <message>
        <source>Send and receive now (%1)</source>
        <translation>Send and receive now (%1)</translation>
    </message>
    <message>
        <source>Online</source>
        <translation>Online</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Offline</translation>
    </message>
    <message>
        <source>Syncing…</source>
        <translation>Syncing…</translation>
    </message>
    <message>
        <source>Refused by the server</source>
        <translation>Refused by the server</translation>
    </message>
    <message>
        <source>Device not enrolled</source>
        <translation>Device not enrolled</translation>
    </message>
    <message>
        <source>Offline · trying again at %1</source>
        <translation>Offline · trying again at %1</translation>
    </message>
    <message>
        <source>Waiting to be sent: %1</source>
        <translation>Waiting to be sent: %1</translation>
    </message>
    <message>
        <source>Update required: minimum version %1; call the IT staff</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This is version %1. You can keep working: records are still saved, exported and accepted by the server. Ask the office&apos;s IT staff to install version %2 or newer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New version available: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This is version %1; nothing needs to be done right away.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last sync: %1</source>
        <translation>Last sync: %1</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Connecting…</translation>
    </message>
    <message>
        <source>No answer for %1 records; sending again at %2</source>
        <translation>No answer for %1 records; sending again at %2</translation>
    </message>
    <message>
        <source>%1 of %2 records · sending %3…</source>
        <translation>%1 of %2 records · sending %3…</translation>
    </message>
    <message>
        <source>%1 of %2 records · %3</source>
        <translation>%1 of %2 records · %3</translation>
    </message>
    <message>
        <source>Receiving decisions: %1</source>
        <translation>Receiving decisions: %1</translation>
    </message>
</context>
<context>
    <name>TallyDialog</name>
    <message>
        <source>Daily tally</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Registered today by you</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Registered today on this device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sent to the server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting to be sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Print…</source>
        <translation type="unfinished">Print…</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation type="unfinished">Refresh</translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished">Close</translation>
    </message>
    <message>
        <source>Today, %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TaskManager</name>
    <message>
        <source>Something went wrong</source>
        <extracomment>(callback, payload, is_error), emitted from worker threads, delivered queued. emitted on the GUI thread after every callback ran (tests wait on it)</extracomment>
        <translation>Something went wrong</translation>
    </message>
    <message>
        <source>The operation could not be completed: %1</source>
        <translation>The operation could not be completed: %1</translation>
    </message>
    <message>
        <source>The operation could not be completed. The details are in the app&apos;s log.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>VillageEdit</name>
    <message>
        <source>Type part of the village name, e.g. Sukamaju</source>
        <translation>Type part of the village name, e.g. Sukamaju</translation>
    </message>
    <message>
        <source>Loading the village list…</source>
        <translation>Loading the village list…</translation>
    </message>
</context>
</TS>
