<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="id_ID" sourcelanguage="en">
<context>
    <name>AboutDialog</name>
    <message>
        <source>About</source>
        <translation>Tentang</translation>
    </message>
    <message>
        <source>Loket %1</source>
        <translation>Loket %1</translation>
    </message>
    <message>
        <source>Offline registration for the pre-employment training programme, for labour offices and field officers.</source>
        <translation>Pendaftaran luring program pelatihan prakerja, untuk dinas tenaga kerja dan petugas lapangan.</translation>
    </message>
    <message>
        <source>Data folder: %1</source>
        <translation>Folder data: %1</translation>
    </message>
    <message>
        <source>Administrative areas: idn-area-data 4.0.1 (Kemendagri codes), Open Database License (ODbL).</source>
        <translation>Wilayah administrasi: idn-area-data 4.0.1 (kode Kemendagri), Open Database License (ODbL).</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Tutup</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>Versi</translation>
    </message>
    <message>
        <source>Data folder</source>
        <translation>Folder data</translation>
    </message>
    <message>
        <source>Copy details</source>
        <translation>Salin rincian</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>Alamat server</translation>
    </message>
    <message>
        <source>%1 (not enrolled)</source>
        <translation>%1 (belum didaftarkan)</translation>
    </message>
    <message>
        <source>never</source>
        <translation>belum pernah</translation>
    </message>
    <message>
        <source>Device id</source>
        <translation>ID perangkat</translation>
    </message>
    <message>
        <source>Device number</source>
        <translation>Nomor perangkat</translation>
    </message>
    <message>
        <source>Office</source>
        <translation>Kantor</translation>
    </message>
    <message>
        <source>Last sync</source>
        <translation>Sinkronisasi terakhir</translation>
    </message>
</context>
<context>
    <name>BundleDialog</name>
    <message>
        <source>Export sync file</source>
        <translation>Ekspor berkas sinkronisasi</translation>
    </message>
    <message>
        <source>Import acknowledgement</source>
        <translation>Impor tanda terima</translation>
    </message>
    <message>
        <source>Send a file from another device</source>
        <translation>Kirimkan berkas dari perangkat lain</translation>
    </message>
    <message>
        <source>Every record not yet confirmed by the central office is written to one file, encrypted for the server and signed by this device. Take it to the office (on a USB stick, for example). The records stay waiting until the acknowledgement comes back.</source>
        <translation>Semua data yang belum dikonfirmasi kantor pusat ditulis ke satu berkas, dienkripsi untuk server dan ditandatangani perangkat ini. Bawa berkas itu ke kantor (misalnya dengan flashdisk). Data tetap menunggu sampai tanda terimanya kembali.</translation>
    </message>
    <message>
        <source>Choose the acknowledgement file (.ack) the central office made for this device. It applies the outcome of every record and the office&apos;s decisions, as a sync would.</source>
        <translation>Pilih berkas tanda terima (.ack) yang dibuat kantor pusat untuk perangkat ini. Hasil setiap data dan keputusan kantor diterapkan, sama seperti sinkronisasi.</translation>
    </message>
    <message>
        <source>Choose a sync file (.loket) brought from a field laptop of this office. It is sent to the server over this device&apos;s connection; this device cannot read it. The acknowledgement for the laptop is saved here, to take back on the next visit.</source>
        <translation>Pilih berkas sinkronisasi (.loket) yang dibawa dari laptop lapangan kantor ini. Berkas dikirim ke server lewat koneksi perangkat ini; perangkat ini tidak dapat membacanya. Tanda terima untuk laptop itu disimpan di sini, untuk dibawa pada kunjungan berikutnya.</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Ekspor</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>Impor</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Kirim</translation>
    </message>
    <message>
        <source>Save as</source>
        <translation>Simpan sebagai</translation>
    </message>
    <message>
        <source>File</source>
        <translation>Berkas</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Pilih…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Tutup</translation>
    </message>
    <message>
        <source>Save the sync file as</source>
        <translation>Simpan berkas sinkronisasi sebagai</translation>
    </message>
    <message>
        <source>Loket sync files (*.loket)</source>
        <translation>Berkas sinkronisasi Loket (*.loket)</translation>
    </message>
    <message>
        <source>Choose an acknowledgement file</source>
        <translation>Pilih berkas tanda terima</translation>
    </message>
    <message>
        <source>Loket acknowledgements (*.ack)</source>
        <translation>Tanda terima Loket (*.ack)</translation>
    </message>
    <message>
        <source>Choose a sync file</source>
        <translation>Pilih berkas sinkronisasi</translation>
    </message>
    <message>
        <source>Choose a file first.</source>
        <translation>Pilih berkas terlebih dahulu.</translation>
    </message>
    <message>
        <source>%1 is a folder: give a file name.</source>
        <translation>%1 adalah folder: berikan nama berkas.</translation>
    </message>
    <message>
        <source>File not found: %1</source>
        <translation>Berkas tidak ditemukan: %1</translation>
    </message>
    <message>
        <source>Writing the file…</source>
        <translation>Menulis berkas…</translation>
    </message>
    <message>
        <source>Importing…</source>
        <translation>Mengimpor…</translation>
    </message>
    <message>
        <source>Sending to the server…</source>
        <translation>Mengirim ke server…</translation>
    </message>
    <message>
        <source>the file %1 could not be read or written</source>
        <translation>berkas %1 tidak dapat dibaca atau ditulis</translation>
    </message>
    <message>
        <source>an unexpected error (details are in the log)</source>
        <translation>kesalahan tak terduga (rinciannya ada di log)</translation>
    </message>
    <message>
        <source>The export failed: %1</source>
        <translation>Ekspor gagal: %1</translation>
    </message>
    <message>
        <source>The acknowledgement was not imported: %1</source>
        <translation>Tanda terima tidak diimpor: %1</translation>
    </message>
    <message>
        <source>The file was not sent: %1</source>
        <translation>Berkas tidak dikirim: %1</translation>
    </message>
    <message>
        <source>Sync file saved: %1</source>
        <translation>Berkas sinkronisasi disimpan: %1</translation>
    </message>
    <message>
        <source>%1 record(s) in %2 batch(es), %3.</source>
        <translation>%1 data dalam %2 kelompok, %3.</translation>
    </message>
    <message>
        <source>The records stay waiting to be sent until the acknowledgement is imported (or the next sync confirms them).</source>
        <translation>Data tetap menunggu dikirim sampai tanda terimanya diimpor (atau sinkronisasi berikutnya mengonfirmasinya).</translation>
    </message>
    <message>
        <source>This acknowledgement was imported before: nothing changed.</source>
        <translation>Tanda terima ini sudah pernah diimpor: tidak ada yang berubah.</translation>
    </message>
    <message>
        <source>Acknowledgement imported: %1 received, %2 flagged, %3 need attention.</source>
        <translation>Tanda terima diimpor: %1 diterima, %2 ditandai, %3 perlu perhatian.</translation>
    </message>
    <message>
        <source>Changes from the central office applied: %1. Still waiting: %2.</source>
        <translation>Perubahan dari kantor pusat diterapkan: %1. Masih menunggu: %2.</translation>
    </message>
    <message>
        <source>The server had received this file before (device %1, %2 record(s)).</source>
        <translation>Server sudah pernah menerima berkas ini (perangkat %1, %2 data).</translation>
    </message>
    <message>
        <source>Sent to the server: %1 record(s) of device %2.</source>
        <translation>Terkirim ke server: %1 data dari perangkat %2.</translation>
    </message>
    <message>
        <source>The acknowledgement for that device was saved here: %1</source>
        <translation>Tanda terima untuk perangkat itu disimpan di sini: %1</translation>
    </message>
    <message>
        <source>Copy it to the field laptop and import it there (Sync &gt; Import acknowledgement…).</source>
        <translation>Salin ke laptop lapangan dan impor di sana (Sinkronisasi &gt; Impor tanda terima…).</translation>
    </message>
    <message>
        <source>Send the sync file %1 to the server over this device&apos;s connection? The acknowledgement for the device that made it is saved on this computer.</source>
        <translation>Kirim berkas sinkronisasi %1 ke server lewat koneksi perangkat ini? Tanda terima untuk perangkat yang membuatnya disimpan di komputer ini.</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Batal</translation>
    </message>
</context>
<context>
    <name>Crash</name>
    <message>
        <source>Something went wrong</source>
        <translation>Terjadi kesalahan</translation>
    </message>
    <message>
        <source>Something went wrong and that action did not finish. What was already saved is safe. If it happens again, tell the helpdesk: the details are in the app&apos;s log.</source>
        <translation>Terjadi kesalahan dan tindakan tadi tidak selesai. Data yang sudah tersimpan tetap aman. Jika terulang, hubungi helpdesk: rinciannya ada di log aplikasi.</translation>
    </message>
</context>
<context>
    <name>DraftsView</name>
    <message>
        <source>Unfinished forms kept on this device. They are not sent to the server.</source>
        <translation>Formulir yang belum selesai, disimpan di perangkat ini. Draf tidak dikirim ke server.</translation>
    </message>
    <message>
        <source>Drafts</source>
        <translation>Draf</translation>
    </message>
    <message>
        <source>Last changed</source>
        <translation>Terakhir diubah</translation>
    </message>
    <message>
        <source>NIK</source>
        <translation>NIK</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nama</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>Operator</translation>
    </message>
    <message>
        <source>Resume (Enter)</source>
        <translation>Lanjutkan (Enter)</translation>
    </message>
    <message>
        <source>Delete (Del)</source>
        <translation>Hapus (Del)</translation>
    </message>
    <message>
        <source>Delete draft</source>
        <translation>Hapus draf</translation>
    </message>
    <message>
        <source>Delete the draft of %1? What was typed is lost.</source>
        <translation>Hapus draf %1? Yang sudah diketik akan hilang.</translation>
    </message>
    <message>
        <source>Delete this draft? What was typed is lost.</source>
        <translation>Hapus draf ini? Yang sudah diketik akan hilang.</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Hapus</translation>
    </message>
</context>
<context>
    <name>EnrollDialog</name>
    <message>
        <source>Enroll this device</source>
        <extracomment>the failures where the panel &quot;what to do when the server cannot be reached&quot; is shown</extracomment>
        <translation>Daftarkan perangkat ini</translation>
    </message>
    <message>
        <source>Step 2 of 2: connect this computer to the server</source>
        <translation>Langkah 2 dari 2: hubungkan komputer ini ke server</translation>
    </message>
    <message>
        <source>The first operator is ready. Now connect this computer to the programme&apos;s server, once: type the server&apos;s address and the one-time code you received from the central office (on paper or by message), then click Enroll. This needs the network; after it, the app also works without one.</source>
        <translation>Operator pertama sudah siap. Sekarang hubungkan komputer ini ke server program, cukup sekali: ketik alamat server dan kode sekali pakai yang Anda terima dari kantor pusat (di kertas atau lewat pesan), lalu klik Daftarkan. Langkah ini perlu jaringan; setelahnya aplikasi juga bisa dipakai tanpa jaringan.</translation>
    </message>
    <message>
        <source>Connect this computer to the programme&apos;s server so registrations are sent automatically. Ask the central office for a one-time enrollment code.</source>
        <translation>Hubungkan komputer ini ke server program agar pendaftaran terkirim otomatis. Mintalah kode pendaftaran perangkat sekali pakai ke kantor pusat.</translation>
    </message>
    <message>
        <source>for example https://loket.kemnaker.go.id</source>
        <translation>misalnya https://loket.kemnaker.go.id</translation>
    </message>
    <message>
        <source>One-time code from the console</source>
        <translation>Kode sekali pakai dari konsol</translation>
    </message>
    <message>
        <source>Optional: the office&apos;s certificate file (.pem)</source>
        <translation>Opsional: berkas sertifikat kantor (.pem)</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Telusuri…</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>Alamat server</translation>
    </message>
    <message>
        <source>Enrollment code</source>
        <translation>Kode pendaftaran perangkat</translation>
    </message>
    <message>
        <source>CA bundle</source>
        <translation>Sertifikat CA</translation>
    </message>
    <message>
        <source>If you skip this step: %1</source>
        <translation>Jika langkah ini dilewati: %1</translation>
    </message>
    <message>
        <source>Enroll</source>
        <translation>Daftarkan</translation>
    </message>
    <message>
        <source>Skip for now (enroll later)</source>
        <translation>Lewati dulu (daftar nanti)</translation>
    </message>
    <message>
        <source>Work offline for now</source>
        <translation>Bekerja luring dulu</translation>
    </message>
    <message>
        <source>Certificate file</source>
        <translation>Berkas sertifikat</translation>
    </message>
    <message>
        <source>Certificates (*.pem *.crt);;All files (*)</source>
        <translation>Sertifikat (*.pem *.crt);;Semua berkas (*)</translation>
    </message>
    <message>
        <source>What you can do:
• Check that this computer is on the network (the cable is plugged in, or the Wi-Fi is connected), then click Enroll again.
• Or continue offline and enroll later: menu Sync, Enroll device.
• If it still does not work, call the office&apos;s IT staff and tell them the server address: %1</source>
        <translation>Yang dapat Anda lakukan:
• Periksa apakah komputer ini tersambung ke jaringan (kabel jaringan terpasang, atau Wi-Fi tersambung), lalu klik Daftarkan lagi.
• Atau lanjutkan tanpa jaringan dan daftar nanti: menu Sinkronisasi, Daftarkan perangkat.
• Jika tetap tidak bisa, hubungi petugas TI kantor dan sebutkan alamat server ini: %1</translation>
    </message>
    <message>
        <source>Enrolling…</source>
        <translation>Mendaftarkan…</translation>
    </message>
    <message>
        <source>Enter the server address, starting with https://</source>
        <translation>Isi alamat server, diawali https://</translation>
    </message>
    <message>
        <source>Enter the enrollment code.</source>
        <translation>Isi kode pendaftaran perangkat.</translation>
    </message>
    <message>
        <source>The device could not be enrolled. The details are in the app&apos;s log.</source>
        <translation>Perangkat tidak dapat didaftarkan. Rinciannya ada di log aplikasi.</translation>
    </message>
</context>
<context>
    <name>EnrollNeededDialog</name>
    <message>
        <source>Device not enrolled</source>
        <translation>Perangkat belum didaftarkan</translation>
    </message>
    <message>
        <source>Not saved: this device is not enrolled yet.</source>
        <translation>Tidak disimpan: perangkat ini belum didaftarkan.</translation>
    </message>
    <message>
        <source>Enroll device…</source>
        <translation>Daftarkan perangkat…</translation>
    </message>
    <message>
        <source>Keep as draft</source>
        <translation>Simpan sebagai draf</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Tutup</translation>
    </message>
</context>
<context>
    <name>FormFields</name>
    <message>
        <source>(choose)</source>
        <translation>(pilih)</translation>
    </message>
    <message>
        <source>Street, house number</source>
        <translation>Jalan, nomor rumah</translation>
    </message>
    <message>
        <source>Optional</source>
        <translation>Boleh dikosongkan</translation>
    </message>
    <message>
        <source>Identity</source>
        <translation>Identitas</translation>
    </message>
    <message>
        <source>NIK</source>
        <translation>NIK</translation>
    </message>
    <message>
        <source>16 digits from the ID card</source>
        <translation>16 angka dari KTP</translation>
    </message>
    <message>
        <source>Family card number (KK)</source>
        <translation>Nomor KK</translation>
    </message>
    <message>
        <source>16 digits from the family card</source>
        <translation>16 angka dari kartu keluarga</translation>
    </message>
    <message>
        <source>Full name</source>
        <translation>Nama lengkap</translation>
    </message>
    <message>
        <source>As written on the ID card</source>
        <translation>Sesuai KTP</translation>
    </message>
    <message>
        <source>Place of birth</source>
        <translation>Tempat lahir</translation>
    </message>
    <message>
        <source>Date of birth</source>
        <translation>Tanggal lahir</translation>
    </message>
    <message>
        <source>YYYY-MM-DD</source>
        <translation>TTTT-BB-HH</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>Jenis kelamin</translation>
    </message>
    <message>
        <source>Mother&apos;s maiden name</source>
        <translation>Nama ibu kandung</translation>
    </message>
    <message>
        <source>Contact</source>
        <translation>Kontak</translation>
    </message>
    <message>
        <source>Mobile phone</source>
        <translation>Nomor HP</translation>
    </message>
    <message>
        <source>e.g. 0812 3456 7890</source>
        <translation>mis. 0812 3456 7890</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>Email</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Alamat</translation>
    </message>
    <message>
        <source>Street address</source>
        <translation>Alamat (jalan)</translation>
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
        <translation>Desa/kelurahan</translation>
    </message>
    <message>
        <source>Postal code</source>
        <translation>Kode pos</translation>
    </message>
    <message>
        <source>Domicile</source>
        <translation>Domisili</translation>
    </message>
    <message>
        <source>Lives at the address on the ID card</source>
        <translation>Tinggal di alamat sesuai KTP</translation>
    </message>
    <message>
        <source>Domicile street address</source>
        <translation>Alamat domisili (jalan)</translation>
    </message>
    <message>
        <source>Domicile RT</source>
        <translation>RT domisili</translation>
    </message>
    <message>
        <source>Domicile RW</source>
        <translation>RW domisili</translation>
    </message>
    <message>
        <source>Domicile village</source>
        <translation>Desa/kelurahan domisili</translation>
    </message>
    <message>
        <source>Domicile postal code</source>
        <translation>Kode pos domisili</translation>
    </message>
    <message>
        <source>Profile</source>
        <translation>Profil</translation>
    </message>
    <message>
        <source>Last education</source>
        <translation>Pendidikan terakhir</translation>
    </message>
    <message>
        <source>Employment status</source>
        <translation>Status pekerjaan</translation>
    </message>
    <message>
        <source>Disability</source>
        <translation>Disabilitas</translation>
    </message>
    <message>
        <source>Former migrant worker</source>
        <translation>Mantan pekerja migran</translation>
    </message>
    <message>
        <source>Has worked abroad as a migrant worker</source>
        <translation>Pernah bekerja di luar negeri sebagai pekerja migran</translation>
    </message>
    <message>
        <source>Skills of interest</source>
        <translation>Keterampilan yang diminati</translation>
    </message>
    <message>
        <source>Arrow keys move, Space ticks a skill</source>
        <translation>Tombol panah untuk berpindah, Spasi untuk mencentang keterampilan</translation>
    </message>
    <message>
        <source>Reason for joining</source>
        <translation>Alasan mengikuti pelatihan</translation>
    </message>
    <message>
        <source>In the applicant&apos;s words</source>
        <translation>Dengan kata-kata pendaftar</translation>
    </message>
    <message>
        <source>Declaration and consent</source>
        <translation>Pernyataan dan persetujuan</translation>
    </message>
    <message>
        <source>Declaration</source>
        <translation>Pernyataan</translation>
    </message>
    <message>
        <source>The applicant makes this declaration</source>
        <translation>Pendaftar membuat pernyataan ini</translation>
    </message>
    <message>
        <source>Consent</source>
        <translation>Persetujuan</translation>
    </message>
    <message>
        <source>The applicant consents (consent text version %1)</source>
        <translation>Pendaftar memberikan persetujuan (naskah persetujuan versi %1)</translation>
    </message>
    <message>
        <source>The applicant declares that they are not in formal education and are not a civil servant, soldier, police officer, village head or village official, or director or commissioner of a state-owned enterprise.</source>
        <translation>Pendaftar menyatakan tidak sedang menempuh pendidikan formal dan bukan ASN, anggota TNI, anggota Polri, kepala desa atau perangkat desa, maupun direksi atau komisaris BUMN.</translation>
    </message>
</context>
<context>
    <name>ImportDialog</name>
    <message>
        <source>Import paper forms</source>
        <translation>Impor formulir kertas</translation>
    </message>
    <message>
        <source>Choose a CSV file typed from paper forms (columns as in the template). Valid rows are saved; rejected rows are written to an error file with the reasons.</source>
        <translation>Pilih berkas CSV hasil ketikan formulir kertas (kolom sesuai templat). Baris yang sah disimpan; baris yang ditolak ditulis ke berkas galat beserta alasannya.</translation>
    </message>
    <message>
        <source>CSV file</source>
        <translation>Berkas CSV</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Pilih…</translation>
    </message>
    <message>
        <source>Error file</source>
        <translation>Berkas galat</translation>
    </message>
    <message>
        <source>Next to the CSV file, ending in .errors.csv</source>
        <translation>Di samping berkas CSV, berakhiran .errors.csv</translation>
    </message>
    <message>
        <source>Only check, do not save (dry run)</source>
        <translation>Periksa saja, jangan simpan (uji coba)</translation>
    </message>
    <message>
        <source>Rejected rows</source>
        <translation>Baris yang ditolak</translation>
    </message>
    <message>
        <source>Row</source>
        <translation>Baris</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>Isian</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Alasan</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>Impor</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Tutup</translation>
    </message>
    <message>
        <source>Choose a CSV file</source>
        <translation>Pilih berkas CSV</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>Berkas CSV (*.csv)</translation>
    </message>
    <message>
        <source>File not found: %1</source>
        <translation>Berkas tidak ditemukan: %1</translation>
    </message>
    <message>
        <source>Importing…</source>
        <translation>Sedang mengimpor…</translation>
    </message>
    <message numerus="yes">
        <source>%n row(s) checked: %1 valid, %2 already present, %3 rejected.</source>
        <translation>
            <numerusform>%n baris diperiksa: %1 sah, %2 sudah ada, %3 ditolak.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n row(s) read: %1 saved, %2 already present, %3 rejected.</source>
        <translation>
            <numerusform>%n baris dibaca: %1 tersimpan, %2 sudah ada, %3 ditolak.</numerusform>
        </translation>
    </message>
    <message>
        <source>Rejected rows and their reasons: %1</source>
        <translation>Baris yang ditolak beserta alasannya: %1</translation>
    </message>
    <message>
        <source>(whole row)</source>
        <translation>(seluruh baris)</translation>
    </message>
    <message>
        <source>the file %1 could not be read or written</source>
        <translation>berkas %1 tidak dapat dibaca atau ditulis</translation>
    </message>
    <message>
        <source>an unexpected error (details are in the log)</source>
        <translation>terjadi kesalahan tak terduga (rinciannya ada di log)</translation>
    </message>
    <message>
        <source>The import failed: %1</source>
        <translation>Impor gagal: %1</translation>
    </message>
</context>
<context>
    <name>LoginView</name>
    <message>
        <source>Operator login</source>
        <extracomment>(username, password, authorising operator, their password)</extracomment>
        <translation>Masuk operator</translation>
    </message>
    <message>
        <source>Loket</source>
        <translation>Loket</translation>
    </message>
    <message>
        <source>Pre-employment training programme registration</source>
        <translation>Pendaftaran program pelatihan prakerja</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>Nama pengguna</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Kata sandi</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Bahasa</translation>
    </message>
    <message>
        <source>Full name</source>
        <translation>Nama lengkap</translation>
    </message>
    <message>
        <source>Repeat the password</source>
        <translation>Ulangi kata sandi</translation>
    </message>
    <message>
        <source>Authorising operator</source>
        <translation>Operator pemberi izin</translation>
    </message>
    <message>
        <source>Authorising operator&apos;s password</source>
        <translation>Kata sandi operator pemberi izin</translation>
    </message>
    <message>
        <source>Their password</source>
        <translation>Kata sandinya</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>Masuk</translation>
    </message>
    <message>
        <source>Welcome to Loket</source>
        <translation>Selamat datang di Loket</translation>
    </message>
    <message>
        <source>This computer is new to Loket. Two short steps get it ready, here in the app:
1. Create the first operator: your user name and a password (at least 8 characters). The password also protects the data on this computer, so keep it safe.
2. Connect this computer to the server with the one-time code from the central office. This can also be done later.
Then you log in and start registering.</source>
        <translation>Komputer ini baru memakai Loket. Dua langkah singkat menyiapkannya, langsung di aplikasi ini:
1. Buat operator pertama: nama pengguna dan kata sandi Anda (minimal 8 karakter). Kata sandi ini juga melindungi data di komputer ini, jadi simpan baik-baik.
2. Hubungkan komputer ini ke server dengan kode sekali pakai dari kantor pusat. Ini juga bisa dilakukan nanti.
Setelah itu Anda masuk dan mulai mendaftar.</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Mulai</translation>
    </message>
    <message>
        <source>Step 1 of 2: the first operator</source>
        <translation>Langkah 1 dari 2: operator pertama</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>Kedua kata sandi tidak sama.</translation>
    </message>
    <message>
        <source>Creating the operator and the encrypted database…</source>
        <translation>Membuat operator dan basis data terenkripsi…</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>Memeriksa…</translation>
    </message>
    <message>
        <source>Create the first operator</source>
        <translation>Buat operator pertama</translation>
    </message>
    <message>
        <source>No operator account exists on this computer yet. Create the first one: its password protects the encrypted database (at least 8 characters).</source>
        <translation>Belum ada akun operator di komputer ini. Buat yang pertama: kata sandinya melindungi basis data terenkripsi (minimal 8 karakter).</translation>
    </message>
    <message>
        <source>Enter your password again, and let another operator who has logged in on this computer before enter their name and password.</source>
        <translation>Masukkan kata sandi Anda lagi, lalu minta operator lain yang pernah masuk di komputer ini mengisi nama dan kata sandinya.</translation>
    </message>
    <message>
        <source>Locked after a period without use. %1 or another operator can unlock.</source>
        <translation>Terkunci setelah lama tidak digunakan. %1 atau operator lain dapat membukanya.</translation>
    </message>
    <message>
        <source>No operator account exists on this computer yet. Create one with: loket-desk add-operator NAME</source>
        <translation>Belum ada akun operator di komputer ini. Buat akun dengan: loket-desk add-operator NAMA</translation>
    </message>
</context>
<context>
    <name>LoketApp</name>
    <message>
        <source>The local database cannot be opened: %1</source>
        <extracomment>``false``: do not offer the enroll dialog at start on a device not enrolled</extracomment>
        <translation>Basis data lokal tidak dapat dibuka: %1</translation>
    </message>
    <message>
        <source>The local database cannot be opened. The details are in the app&apos;s log.</source>
        <translation>Basis data lokal tidak dapat dibuka. Rinciannya ada di log aplikasi.</translation>
    </message>
    <message>
        <source>Login is not possible right now. The details are in the app&apos;s log.</source>
        <translation>Saat ini tidak dapat masuk. Rinciannya ada di log aplikasi.</translation>
    </message>
    <message>
        <source>receipts are not kept in Loket&apos;s data folder</source>
        <translation>tanda terima tidak disimpan di folder data Loket</translation>
    </message>
    <message>
        <source>Loket is already open for this data folder in another window. Use that window, or close it first.</source>
        <translation>Loket sudah terbuka untuk folder data ini di jendela lain. Gunakan jendela itu, atau tutup dulu.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Registration — %1</source>
        <translation>Pendaftaran — %1</translation>
    </message>
    <message>
        <source>New registration</source>
        <translation>Pendaftaran baru</translation>
    </message>
    <message>
        <source>Registrations</source>
        <translation>Daftar pendaftaran</translation>
    </message>
    <message>
        <source>Drafts</source>
        <translation>Draf</translation>
    </message>
    <message>
        <source>Screens</source>
        <translation>Layar</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Berkas</translation>
    </message>
    <message>
        <source>Import paper forms…</source>
        <translation>Impor formulir kertas…</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>Keluar akun</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Tutup aplikasi</translation>
    </message>
    <message>
        <source>Print settings…</source>
        <translation>Pengaturan cetak…</translation>
    </message>
    <message>
        <source>&amp;Registration</source>
        <translation>&amp;Pendaftaran</translation>
    </message>
    <message>
        <source>New applicant</source>
        <translation>Pendaftar baru</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Simpan</translation>
    </message>
    <message>
        <source>Keep as draft</source>
        <translation>Simpan sebagai draf</translation>
    </message>
    <message>
        <source>Daily tally…</source>
        <translation>Rekap harian…</translation>
    </message>
    <message>
        <source>Review before saving</source>
        <translation>Periksa bersama pendaftar sebelum menyimpan</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Tampilan</translation>
    </message>
    <message>
        <source>Registration form</source>
        <translation>Formulir pendaftaran</translation>
    </message>
    <message>
        <source>Registration list</source>
        <translation>Daftar pendaftaran</translation>
    </message>
    <message>
        <source>Search registrations</source>
        <translation>Cari pendaftaran</translation>
    </message>
    <message>
        <source>S&amp;ync</source>
        <translation>Si&amp;nkronisasi</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>Ban&amp;tuan</translation>
    </message>
    <message>
        <source>About Loket</source>
        <translation>Tentang Loket</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Bahasa</translation>
    </message>
    <message>
        <source>Operator: %1</source>
        <translation>Operator: %1</translation>
    </message>
    <message>
        <source>Returned and rejected records…</source>
        <extracomment>Issue 5 (sync client) puts its connection / progress / &quot;sync now&quot; widget here.</extracomment>
        <translation>Data dikembalikan dan ditolak…</translation>
    </message>
    <message>
        <source>Sync history…</source>
        <translation>Riwayat sinkronisasi…</translation>
    </message>
    <message>
        <source>Enroll device…</source>
        <translation>Daftarkan perangkat…</translation>
    </message>
    <message>
        <source>Export sync file…</source>
        <translation>Ekspor berkas sinkronisasi…</translation>
    </message>
    <message>
        <source>Import acknowledgement…</source>
        <translation>Impor tanda terima…</translation>
    </message>
    <message>
        <source>Send a file from another device…</source>
        <translation>Kirimkan berkas dari perangkat lain…</translation>
    </message>
    <message>
        <source>%1 record(s) in transit by file since %2</source>
        <translation>%1 data dalam perjalanan lewat berkas sejak %2</translation>
    </message>
    <message>
        <source>%1 record(s) in transit by file</source>
        <translation>%1 data dalam perjalanan lewat berkas</translation>
    </message>
    <message>
        <source>Sync files exported and not yet acknowledged: %1</source>
        <translation>Berkas sinkronisasi yang diekspor dan belum ada tanda terimanya: %1</translation>
    </message>
    <message>
        <source>Office %1</source>
        <translation>Kantor %1</translation>
    </message>
    <message>
        <source>Waiting to be sent: %1</source>
        <translation>Menunggu dikirim: %1</translation>
    </message>
    <message>
        <source>This NIK is already registered on this device: opening the existing record.</source>
        <translation>NIK ini sudah terdaftar di perangkat ini: data yang ada dibuka.</translation>
    </message>
</context>
<context>
    <name>NikDuplicate</name>
    <message>
        <source>Open the existing record (Ctrl+O)</source>
        <translation>Buka data yang sudah ada (Ctrl+O)</translation>
    </message>
    <message>
        <source>This NIK is already registered on this device: %1.</source>
        <translation>NIK ini sudah terdaftar di perangkat ini: %1.</translation>
    </message>
    <message>
        <source>This NIK is already registered in this office (another counter): %1.</source>
        <translation>NIK ini sudah terdaftar di kantor ini (loket lain): %1.</translation>
    </message>
</context>
<context>
    <name>NikHint</name>
    <message>
        <source>What the NIK says</source>
        <translation>Keterangan dari NIK</translation>
    </message>
    <message>
        <source>district code %1 (not in the region list)</source>
        <translation>kode kecamatan %1 (tidak ada di daftar wilayah)</translation>
    </message>
    <message>
        <source>not a real date</source>
        <translation>bukan tanggal yang sah</translation>
    </message>
    <message>
        <source>The NIK says: born %1, %2, registered in %3.</source>
        <translation>Menurut NIK: lahir %1, %2, terdaftar di %3.</translation>
    </message>
    <message>
        <source>Date of birth and sex were filled in from the NIK; check them.</source>
        <translation>Tanggal lahir dan jenis kelamin diisi dari NIK; periksa kembali.</translation>
    </message>
    <message>
        <source>Date of birth was filled in from the NIK; check it.</source>
        <translation>Tanggal lahir diisi dari NIK; periksa kembali.</translation>
    </message>
    <message>
        <source>Sex was filled in from the NIK; check it.</source>
        <translation>Jenis kelamin diisi dari NIK; periksa kembali.</translation>
    </message>
    <message>
        <source>Place of birth suggested from the NIK&apos;s regency; type over it if the applicant was born elsewhere.</source>
        <translation>Tempat lahir disarankan dari kabupaten/kota NIK; ketik ulang bila pendaftar lahir di tempat lain.</translation>
    </message>
    <message>
        <source>Disagrees: date of birth typed as %1.</source>
        <translation>Tidak cocok: tanggal lahir diketik %1.</translation>
    </message>
    <message>
        <source>Disagrees: sex chosen as %1.</source>
        <translation>Tidak cocok: jenis kelamin dipilih %1.</translation>
    </message>
</context>
<context>
    <name>PrintSettingsDialog</name>
    <message>
        <source>Print settings</source>
        <translation>Pengaturan cetak</translation>
    </message>
    <message>
        <source>A5 sheet</source>
        <translation>Kertas A5</translation>
    </message>
    <message>
        <source>A4 sheet</source>
        <translation>Kertas A4</translation>
    </message>
    <message>
        <source>Thermal roll 80 mm</source>
        <translation>Kertas gulung termal 80 mm</translation>
    </message>
    <message>
        <source>Thermal roll 58 mm</source>
        <translation>Kertas gulung termal 58 mm</translation>
    </message>
    <message>
        <source>The system&apos;s default printer</source>
        <translation>Printer bawaan sistem</translation>
    </message>
    <message>
        <source>The print dialog opens on this printer; the printer chosen there is remembered for the next receipt.</source>
        <translation>Dialog cetak dibuka dengan printer ini; printer yang dipilih di sana diingat untuk tanda terima berikutnya.</translation>
    </message>
    <message>
        <source>Receipt paper</source>
        <translation>Kertas tanda terima</translation>
    </message>
    <message>
        <source>Printer</source>
        <translation>Printer tujuan</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Simpan</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Batal</translation>
    </message>
</context>
<context>
    <name>Printing</name>
    <message>
        <source>Print</source>
        <translation>Cetak</translation>
    </message>
</context>
<context>
    <name>ReceiptDialog</name>
    <message>
        <source>Receipt</source>
        <translation>Tanda terima</translation>
    </message>
    <message>
        <source>Saved. Registration code: %1</source>
        <translation>Tersimpan. Kode pendaftaran: %1</translation>
    </message>
    <message>
        <source>%1, NIK %2</source>
        <translation>%1, NIK %2</translation>
    </message>
    <message>
        <source>Save the receipt as</source>
        <translation>Simpan tanda terima sebagai</translation>
    </message>
    <message>
        <source>Receipt file</source>
        <translation>Berkas tanda terima</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Pilih…</translation>
    </message>
    <message>
        <source>Save PDF (Enter)</source>
        <translation>Simpan PDF (Enter)</translation>
    </message>
    <message>
        <source>Print…</source>
        <translation>Cetak…</translation>
    </message>
    <message>
        <source>Open PDF</source>
        <translation>Buka PDF</translation>
    </message>
    <message>
        <source>Next applicant (Esc)</source>
        <translation>Pendaftar berikutnya (Esc)</translation>
    </message>
    <message>
        <source>PDF files (*.pdf)</source>
        <translation>Berkas PDF (*.pdf)</translation>
    </message>
    <message>
        <source>Receipts are not kept in Loket&apos;s data folder: choose another folder.</source>
        <translation>Tanda terima tidak disimpan di folder data Loket: pilih folder lain.</translation>
    </message>
    <message>
        <source>The receipt could not be written to %1. Choose another folder (this one may be read-only or full).</source>
        <translation>Tanda terima tidak dapat ditulis ke %1. Pilih folder lain (folder ini mungkin hanya-baca atau penuh).</translation>
    </message>
    <message>
        <source>Receipt saved: %1</source>
        <translation>Tanda terima tersimpan: %1</translation>
    </message>
</context>
<context>
    <name>RecordView</name>
    <message>
        <source>Registration %1</source>
        <extracomment>Room a window manager takes around a window: frame (width) and title bar (height).</extracomment>
        <translation>Pendaftaran %1</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>Status: %1 · revision %2 · channel %3</source>
        <translation>Status: %1 · revisi %2 · kanal %3</translation>
    </message>
    <message>
        <source>Record details</source>
        <translation>Rincian data</translation>
    </message>
    <message>
        <source>Revision history</source>
        <translation>Riwayat revisi</translation>
    </message>
    <message>
        <source>Revision</source>
        <translation>Revisi</translation>
    </message>
    <message>
        <source>Saved at</source>
        <translation>Disimpan pada</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>Operator</translation>
    </message>
    <message>
        <source>Changed fields</source>
        <translation>Isian yang diubah</translation>
    </message>
    <message>
        <source>(first revision)</source>
        <translation>(revisi pertama)</translation>
    </message>
    <message>
        <source>The server reported a conflict for this record; it is kept as it is until someone resolves it.</source>
        <translation>Server melaporkan konflik pada data ini; data dibiarkan apa adanya sampai ada yang menyelesaikannya.</translation>
    </message>
    <message>
        <source>Edit (creates a new revision)</source>
        <translation>Ubah (membuat revisi baru)</translation>
    </message>
    <message>
        <source>A reviewer has decided on this record: it can no longer be changed.</source>
        <translation>Pemeriksa sudah memutuskan data ini: data tidak dapat diubah lagi.</translation>
    </message>
    <message>
        <source>Receipt…</source>
        <translation>Tanda terima…</translation>
    </message>
    <message>
        <source>Reprint receipt…</source>
        <translation>Cetak ulang tanda terima…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Tutup</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>Berikutnya</translation>
    </message>
    <message>
        <source>Reviewer&apos;s note: %1</source>
        <translation>Catatan pemeriksa: %1</translation>
    </message>
    <message>
        <source>Returned for correction: edit the record and save it; it is sent again as a new revision.</source>
        <translation>Dikembalikan untuk perbaikan: ubah data lalu simpan; data dikirim lagi sebagai revisi baru.</translation>
    </message>
    <message>
        <source>Reason for rejection: %1</source>
        <translation>Alasan penolakan: %1</translation>
    </message>
    <message>
        <source>Possibly the same person as registration %1</source>
        <translation>Mungkin orang yang sama dengan pendaftaran %1</translation>
    </message>
    <message>
        <source>Changed elsewhere: another device of the office saved revision %1 of this record; this is that revision.</source>
        <translation>Diubah di perangkat lain: perangkat lain di kantor ini menyimpan revisi %1 data ini; yang tampil adalah revisi tersebut.</translation>
    </message>
    <message>
        <source>The server did not accept this revision. Correct the record and save it again:</source>
        <translation>Server tidak menerima revisi ini. Perbaiki data lalu simpan lagi:</translation>
    </message>
    <message>
        <source>Conflict: the server holds revision %1 of this record, changed elsewhere. Nothing was overwritten; check the record and save it again, or ask the central office.</source>
        <translation>Konflik: server menyimpan revisi %1 dari data ini, yang diubah di tempat lain. Tidak ada yang ditimpa; periksa data lalu simpan lagi, atau tanyakan ke kantor pusat.</translation>
    </message>
    <message>
        <source>From the server</source>
        <translation>Dari server</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>Ya</translation>
    </message>
    <message>
        <source>No</source>
        <translation>Tidak</translation>
    </message>
</context>
<context>
    <name>RegistrationFormView</name>
    <message>
        <source>Form status</source>
        <translation>Status formulir</translation>
    </message>
    <message>
        <source>New applicant (Ctrl+N)</source>
        <translation>Pendaftar baru (Ctrl+N)</translation>
    </message>
    <message>
        <source>Keep as draft (Ctrl+Shift+S)</source>
        <translation>Simpan sebagai draf (Ctrl+Shift+S)</translation>
    </message>
    <message>
        <source>Save (Ctrl+S)</source>
        <translation>Simpan (Ctrl+S)</translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation>Perubahan belum disimpan</translation>
    </message>
    <message>
        <source>The changes to %1 are not saved yet. Save them?</source>
        <translation>Perubahan pada %1 belum disimpan. Simpan sekarang?</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Simpan</translation>
    </message>
    <message>
        <source>Discard the changes</source>
        <translation>Buang perubahan</translation>
    </message>
    <message>
        <source>Back to the form</source>
        <translation>Kembali ke formulir</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>Menyimpan…</translation>
    </message>
    <message>
        <source>Not saved: this device is not enrolled yet.</source>
        <translation>Tidak disimpan: perangkat ini belum didaftarkan.</translation>
    </message>
    <message>
        <source>This NIK is already registered on this device.</source>
        <translation>NIK ini sudah terdaftar di perangkat ini.</translation>
    </message>
    <message>
        <source>Not saved: fix the problems listed.</source>
        <translation>Belum tersimpan: perbaiki masalah yang tercantum.</translation>
    </message>
    <message>
        <source>Saved: %1</source>
        <translation>Tersimpan: %1</translation>
    </message>
    <message>
        <source>Not saved.</source>
        <translation>Tidak tersimpan.</translation>
    </message>
    <message>
        <source>Kept as a draft.</source>
        <translation>Disimpan sebagai draf.</translation>
    </message>
    <message>
        <source>The unfinished form was kept as a draft.</source>
        <translation>Formulir yang belum selesai disimpan sebagai draf.</translation>
    </message>
    <message>
        <source>Editing %1 (will be saved as revision %2)</source>
        <extracomment>The status line&apos;s look per tone: saved in green, a failure in red, anything else plain.</extracomment>
        <translation>Mengubah %1 (akan disimpan sebagai revisi %2)</translation>
    </message>
    <message>
        <source>New applicant (resumed draft)</source>
        <translation>Pendaftar baru (melanjutkan draf)</translation>
    </message>
    <message>
        <source>New applicant</source>
        <translation>Pendaftar baru</translation>
    </message>
</context>
<context>
    <name>RegistrationListView</name>
    <message>
        <source>Search by NIK, name, phone or code (Ctrl+F)</source>
        <translation>Cari NIK, nama, nomor HP atau kode (Ctrl+F)</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>Cari</translation>
    </message>
    <message>
        <source>Search registrations</source>
        <translation>Cari pendaftaran</translation>
    </message>
    <message>
        <source>All statuses</source>
        <translation>Semua status</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Filter by status</source>
        <translation>Saring menurut status</translation>
    </message>
    <message>
        <source>Registered between</source>
        <translation>Terdaftar antara</translation>
    </message>
    <message>
        <source>Filter by registration date</source>
        <translation>Saring menurut tanggal pendaftaran</translation>
    </message>
    <message>
        <source>From date</source>
        <translation>Dari tanggal</translation>
    </message>
    <message>
        <source>To date</source>
        <translation>Sampai tanggal</translation>
    </message>
    <message>
        <source>and</source>
        <translation>dan</translation>
    </message>
    <message>
        <source>Registrations</source>
        <translation>Daftar pendaftaran</translation>
    </message>
    <message numerus="yes">
        <source>%Ln registration(s)</source>
        <translation>
            <numerusform>%Ln pendaftaran</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RegistrationTableModel</name>
    <message>
        <source>Registration code</source>
        <translation>Kode pendaftaran</translation>
    </message>
    <message>
        <source>NIK</source>
        <translation>NIK</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nama</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Nomor HP</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Registered at</source>
        <translation>Waktu daftar</translation>
    </message>
    <message>
        <source>Revision</source>
        <translation>Revisi</translation>
    </message>
</context>
<context>
    <name>RelativeTime</name>
    <message>
        <source>never</source>
        <extracomment>Progress bar appears only after a sync has lasted this long. At most this often the bar is repainted from the (possibly very chatty) progress.</extracomment>
        <translation>belum pernah</translation>
    </message>
    <message>
        <source>just now</source>
        <translation>baru saja</translation>
    </message>
    <message>
        <source>1 minute ago</source>
        <translation>1 menit yang lalu</translation>
    </message>
    <message>
        <source>%1 minutes ago</source>
        <translation>%1 menit yang lalu</translation>
    </message>
    <message>
        <source>1 hour ago</source>
        <translation>1 jam yang lalu</translation>
    </message>
    <message>
        <source>%1 hours ago</source>
        <translation>%1 jam yang lalu</translation>
    </message>
    <message>
        <source>yesterday</source>
        <translation>kemarin</translation>
    </message>
    <message>
        <source>%1 days ago</source>
        <translation>%1 hari yang lalu</translation>
    </message>
</context>
<context>
    <name>ReturnedBadge</name>
    <message>
        <source>Records returned or rejected by the central office</source>
        <translation>Data yang dikembalikan atau ditolak kantor pusat</translation>
    </message>
    <message>
        <source>%1 returned</source>
        <translation>%1 dikembalikan</translation>
    </message>
    <message>
        <source>%1 rejected</source>
        <translation>%1 ditolak</translation>
    </message>
</context>
<context>
    <name>ReturnedListDialog</name>
    <message>
        <source>Returned and rejected records</source>
        <translation>Data dikembalikan dan ditolak</translation>
    </message>
    <message>
        <source>Correct each returned record and save it again; tell the applicant of a rejection. Open one with Enter; in the record, “Next” goes on.</source>
        <translation>Perbaiki setiap data yang dikembalikan lalu simpan lagi; beri tahu pemohon bila ditolak. Buka dengan Enter; di jendela data, “Berikutnya” membuka data berikutnya.</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>Kode</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nama</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Note or reason</source>
        <translation>Catatan atau alasan</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Buka</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Tutup</translation>
    </message>
</context>
<context>
    <name>ReviewDialog</name>
    <message>
        <source>Check with the applicant</source>
        <translation>Periksa bersama pendaftar</translation>
    </message>
    <message>
        <source>Read this back to the applicant. Enter saves; Esc goes back to the form.</source>
        <translation>Bacakan data ini kepada pendaftar. Enter menyimpan; Esc kembali ke formulir.</translation>
    </message>
    <message>
        <source>Save (Enter)</source>
        <translation>Simpan (Enter)</translation>
    </message>
    <message>
        <source>Back to the form (Esc)</source>
        <translation>Kembali ke formulir (Esc)</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>Ya</translation>
    </message>
    <message>
        <source>No</source>
        <translation>Tidak</translation>
    </message>
</context>
<context>
    <name>SaveProblemsDialog</name>
    <message>
        <source>Not saved yet</source>
        <translation>Belum tersimpan</translation>
    </message>
    <message>
        <source>The record was not saved. Please fix these %1 problems:</source>
        <translation>Data belum disimpan. Perbaiki %1 masalah berikut:</translation>
    </message>
    <message>
        <source>Problems</source>
        <translation>Masalah</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Go to the field</source>
        <translation>Ke isian</translation>
    </message>
</context>
<context>
    <name>SyncHistoryView</name>
    <message>
        <source>Sync history</source>
        <translation>Riwayat sinkronisasi</translation>
    </message>
    <message>
        <source>Each attempt to send and receive, newest first.</source>
        <translation>Setiap percobaan mengirim dan menerima, yang terbaru di atas.</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>Mulai</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Lama</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>Hasil</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Dikirim</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>Diterima</translation>
    </message>
    <message>
        <source>Need attention</source>
        <translation>Perlu perhatian</translation>
    </message>
    <message>
        <source>Bytes sent</source>
        <translation>Bita terkirim</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>Masalah</translation>
    </message>
    <message>
        <source>No sync has been attempted yet.</source>
        <translation>Belum pernah ada percobaan sinkronisasi.</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Muat ulang</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Tutup</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 dtk</translation>
    </message>
</context>
<context>
    <name>SyncOutcome</name>
    <message>
        <source>Succeeded</source>
        <translation>Berhasil</translation>
    </message>
    <message>
        <source>Partly sent</source>
        <translation>Terkirim sebagian</translation>
    </message>
    <message>
        <source>Server unreachable</source>
        <translation>Server tak terjangkau</translation>
    </message>
    <message>
        <source>Refused</source>
        <translation>Ditolak</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Dibatalkan</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>Sedang berjalan</translation>
    </message>
</context>
<context>
    <name>SyncStatusWidget</name>
    <message>
        <source>Sync progress</source>
        <translation>Kemajuan sinkronisasi</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>Sinkronkan sekarang</translation>
    </message>
    <message>
        <source>Send and receive now (%1)</source>
        <translation>Kirim dan terima sekarang (%1)</translation>
    </message>
    <message>
        <source>Online</source>
        <translation>Daring</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Luring</translation>
    </message>
    <message>
        <source>Syncing…</source>
        <translation>Menyinkronkan…</translation>
    </message>
    <message>
        <source>Refused by the server</source>
        <translation>Ditolak server</translation>
    </message>
    <message>
        <source>Device not enrolled</source>
        <translation>Perangkat belum didaftarkan</translation>
    </message>
    <message>
        <source>Offline · trying again at %1</source>
        <translation>Luring · mencoba lagi pukul %1</translation>
    </message>
    <message>
        <source>Waiting to be sent: %1</source>
        <translation>Menunggu dikirim: %1</translation>
    </message>
    <message>
        <source>Update required: minimum version %1; call the IT staff</source>
        <translation>Pembaruan wajib: versi minimum %1; hubungi petugas TI</translation>
    </message>
    <message>
        <source>This is version %1. You can keep working: records are still saved, exported and accepted by the server. Ask the office&apos;s IT staff to install version %2 or newer.</source>
        <translation>Ini versi %1. Anda tetap bisa bekerja: data tetap disimpan, diekspor, dan diterima server. Mintalah petugas TI kantor memasang versi %2 atau yang lebih baru.</translation>
    </message>
    <message>
        <source>New version available: %1</source>
        <translation>Versi baru tersedia: %1</translation>
    </message>
    <message>
        <source>This is version %1; nothing needs to be done right away.</source>
        <translation>Ini versi %1; tidak ada yang perlu dilakukan sekarang.</translation>
    </message>
    <message>
        <source>Last sync: %1</source>
        <translation>Sinkronisasi terakhir: %1</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Menghubungkan…</translation>
    </message>
    <message>
        <source>No answer for %1 records; sending again at %2</source>
        <translation>Belum ada jawaban untuk %1 data; dikirim lagi pukul %2</translation>
    </message>
    <message>
        <source>%1 of %2 records · sending %3…</source>
        <translation>%1 dari %2 data · mengirim %3…</translation>
    </message>
    <message>
        <source>%1 of %2 records · %3</source>
        <translation>%1 dari %2 data · %3</translation>
    </message>
    <message>
        <source>Receiving decisions: %1</source>
        <translation>Menerima keputusan: %1</translation>
    </message>
</context>
<context>
    <name>TallyDialog</name>
    <message>
        <source>Daily tally</source>
        <translation>Rekap harian</translation>
    </message>
    <message>
        <source>Registered today by you</source>
        <translation>Didaftarkan hari ini oleh Anda</translation>
    </message>
    <message>
        <source>Registered today on this device</source>
        <translation>Didaftarkan hari ini di perangkat ini</translation>
    </message>
    <message>
        <source>Sent to the server</source>
        <translation>Sudah terkirim ke server</translation>
    </message>
    <message>
        <source>Waiting to be sent</source>
        <translation>Menunggu dikirim</translation>
    </message>
    <message>
        <source>Print…</source>
        <translation>Cetak…</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Muat ulang</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Tutup</translation>
    </message>
    <message>
        <source>Today, %1</source>
        <translation>Hari ini, %1</translation>
    </message>
</context>
<context>
    <name>TaskManager</name>
    <message>
        <source>Something went wrong</source>
        <extracomment>(callback, payload, is_error), emitted from worker threads, delivered queued. emitted on the GUI thread after every callback ran (tests wait on it)</extracomment>
        <translation>Terjadi kesalahan</translation>
    </message>
    <message>
        <source>The operation could not be completed: %1</source>
        <translation>Tindakan tidak dapat diselesaikan: %1</translation>
    </message>
    <message>
        <source>The operation could not be completed. The details are in the app&apos;s log.</source>
        <translation>Tindakan tidak dapat diselesaikan. Rinciannya ada di log aplikasi.</translation>
    </message>
</context>
<context>
    <name>VillageEdit</name>
    <message>
        <source>Type part of the village name, e.g. Sukamaju</source>
        <translation>Ketik sebagian nama desa, mis. Sukamaju</translation>
    </message>
    <message>
        <source>Loading the village list…</source>
        <translation>Memuat daftar desa…</translation>
    </message>
</context>
</TS>
