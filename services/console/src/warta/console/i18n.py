"""The console's words, in Bahasa Indonesia first and English on request."""

from enum import StrEnum
from typing import Any

from warta.contracts import CoverageRole, DispositionInstruction, Leader, LetterNature, Role, SenderKind, label

LANGUAGES = ("id", "en")

WORDS: dict[str, dict[str, str]] = {
    "title": {"id": "Warta — Prokopim Kota Tangerang", "en": "Warta — Prokopim, City of Tangerang"},
    "sign_in": {"id": "Masuk", "en": "Sign in"},
    "sign_out": {"id": "Keluar", "en": "Sign out"},
    "choose_officer": {"id": "Pilih petugas (pengembangan)", "en": "Choose an officer (development)"},
    "sign_in_city": {
        "id": "Masuk dengan akun Pemerintah Kota Tangerang",
        "en": "Sign in with your City of Tangerang account",
    },
    "sign_in_failed": {
        "id": "Gagal masuk: penyedia identitas menolak atau tidak dapat dihubungi. Silakan coba lagi.",
        "en": "Sign-in failed: the identity provider refused or cannot be reached. Please try again.",
    },
    "sign_in_wait": {
        "id": "Terlalu banyak percobaan masuk dari alamat ini. Silakan coba lagi dalam {n} detik.",
        "en": "Too many sign-in attempts from this address. Please try again in {n} seconds.",
    },
    "waiting": {"id": "Menunggu Anda", "en": "Waiting for you"},
    "nothing_waiting": {"id": "Tidak ada yang menunggu Anda.", "en": "Nothing waits for you."},
    "no_pages_yet": {
        "id": "Halaman untuk langkah peran Anda belum tersedia di konsol; gunakan API layanan.",
        "en": "The pages for your role's steps are not in the console yet; use the services' APIs.",
    },
    "register_letter": {"id": "Registrasi surat permohonan", "en": "Register a request letter"},
    "save": {"id": "Simpan", "en": "Save"},
    "step": {"id": "Langkah", "en": "Step"},
    "minutes_of": {"id": "menit dari", "en": "minutes of"},
    "request": {"id": "Permohonan", "en": "Request"},
    "state": {"id": "Status", "en": "State"},
    "issue_sheet": {"id": "Terbitkan lembar disposisi", "en": "Issue the disposition sheet"},
    "sheet": {"id": "Lembar disposisi (PDF)", "en": "Disposition sheet (PDF)"},
    "dispose": {"id": "Disposisi", "en": "Dispose"},
    "disposition_given": {"id": "Isi disposisi", "en": "Disposition"},
    "decline": {"id": "Tolak permohonan", "en": "Decline the request"},
    "reason": {"id": "Alasan", "en": "Reason"},
    "notes": {"id": "Catatan", "en": "Notes"},
    "timeline": {"id": "Riwayat permohonan", "en": "The request's timeline"},
    "timeline_empty": {
        "id": "Arsip belum mencatat permohonan ini.",
        "en": "The archive has not recorded this request yet.",
    },
    "duration": {"id": "Durasi", "en": "Duration"},
    "standard": {"id": "Mutu baku", "en": "Standard"},
    "sop_revision": {"id": "SOP", "en": "SOP"},
    "calendar": {"id": "Kalender", "en": "Calendar"},
    "email": {"id": "Email", "en": "Email"},
    "stage": {"id": "Tahap", "en": "Stage"},
    "deviations": {"id": "Penyimpangan mutu baku", "en": "Deviations from the standard"},
    "deviations_short": {"id": "Penyimpangan", "en": "Deviations"},
    "deviations_intro": {
        "id": "Langkah SOP yang Anda selesaikan melewati mutu baku waktunya. SOP meminta setiap penyimpangan "
        "dijelaskan oleh petugas yang bersangkutan; penjelasan hanya dapat diisi sekali.",
        "en": "SOP steps you finished over their time standard. The SOP asks the officer concerned to explain each; "
        "an explanation is given once.",
    },
    "deviations_away": {
        "id": "Sebagian layanan tidak dapat dihubungi; daftar ini mungkin belum lengkap.",
        "en": "Some services cannot be reached; this list may be incomplete.",
    },
    "no_deviations": {"id": "Tidak ada penyimpangan atas nama Anda.", "en": "No deviations in your name."},
    "older_deviations": {"id": "Penyimpangan sebelumnya", "en": "Earlier deviations"},
    "newest_deviations": {"id": "Penyimpangan terbaru", "en": "Latest deviations"},
    "finished_at": {"id": "selesai", "en": "finished"},
    "over_by": {"id": "lewat {n} menit", "en": "{n} minutes over"},
    "your_explanation": {"id": "Penjelasan Anda", "en": "Your explanation"},
    "explain_deviation": {"id": "Penjelasan", "en": "Explanation"},
    "save_explanation": {"id": "Simpan penjelasan", "en": "Save the explanation"},
    "explanation_saved": {"id": "Penjelasan Anda tersimpan.", "en": "Your explanation is saved."},
    "upload_failed": {
        "id": "Unggahan terhenti dan tidak dapat dilanjutkan. Periksa sambungan lalu unggah lagi: bagian yang sudah "
        "terkirim tidak dikirim ulang.",
        "en": "The upload stopped and could not go on. Check the connection and upload again: what was sent is "
        "not sent twice.",
    },
    "inbox": {"id": "Pesan untuk Anda", "en": "Messages to you"},
    "inbox_empty": {"id": "Belum ada pesan untuk Anda.", "en": "No messages to you yet."},
    "open_request": {"id": "Buka permohonan", "en": "Open the request"},
    "notice_choices": {"id": "Cara Anda menerima pemberitahuan", "en": "How you receive notices"},
    "ready_to_copy": {"id": "Siap disalin ke situs kota", "en": "Ready to copy to the city website"},
    "ready_to_copy_intro": {
        "id": "Versi yang disetujui kepala bagian, persis seperti dikirim ke media. Salin judul dan HTML-nya ke "
        "situs kota, lalu unggah foto di bawah ini.",
        "en": "The version the section head approved, exactly as sent to the media. Copy the title and the HTML "
        "to the city website, then upload the photos below.",
    },
    "release_html": {"id": "Isi berita (HTML)", "en": "Body (HTML)"},
    "download": {"id": "Unduh", "en": "Download"},
    "email_address": {"id": "Alamat email", "en": "Email address"},
    "team_and_kit": {"id": "Tim dan peralatan", "en": "Team and kit"},
    "kept_by_team_lead": {
        "id": "Daftar ini diperbarui oleh ketua tim dokumentasi.",
        "en": "The documentation team lead keeps these lists.",
    },
    "roster": {"id": "Daftar petugas liputan", "en": "Coverage roster"},
    "name": {"id": "Nama", "en": "Name"},
    "tasks": {"id": "Tugas yang dapat dikerjakan", "en": "Tasks"},
    "active": {"id": "Aktif", "en": "Active"},
    "inactive": {"id": "Tidak aktif", "en": "Inactive"},
    "time_away": {"id": "Berhalangan", "en": "Away"},
    "change": {"id": "Ubah", "en": "Change"},
    "add_time_away": {"id": "Catat waktu berhalangan", "en": "Record time away"},
    "away_from": {"id": "Mulai berhalangan (WIB)", "en": "Away from (WIB)"},
    "away_until": {"id": "Sampai (WIB)", "en": "Until (WIB)"},
    "away_reason": {"id": "Keterangan (cuti, dinas luar, sakit)", "en": "Reason (leave, training, sick)"},
    "record_time_away": {"id": "Catat", "en": "Record"},
    "add_officer": {"id": "Tambah petugas", "en": "Add an officer"},
    "officer_account": {"id": "Akun masuk petugas", "en": "Officer's sign-in account"},
    "officer_account_hint": {
        "id": "Sama dengan akun yang dipakai petugas untuk masuk, misalnya budi.fotografer.",
        "en": "The account the officer signs in with, e.g. budi.fotografer.",
    },
    "kit": {"id": "Peralatan", "en": "Kit"},
    "item_code": {"id": "Kode barang", "en": "Item code"},
    "item_code_hint": {"id": "Seperti pada label inventaris, misalnya KAMERA-03.", "en": "As on its label."},
    "description": {"id": "Keterangan", "en": "Description"},
    "condition": {"id": "Kondisi", "en": "Condition"},
    "condition_ready": {"id": "Siap dipakai", "en": "Ready"},
    "condition_in_repair": {"id": "Sedang diperbaiki", "en": "In repair"},
    "add_item": {"id": "Tambah peralatan", "en": "Add an item"},
    "directory": {"id": "Direktori petugas", "en": "Officers' directory"},
    "directory_intro": {
        "id": "Ke mana dan kapan petugas dihubungi Warta: nomor WhatsApp, email, dan jam tenang (tidak dikirimi "
        "pesan kecuali sangat mendesak).",
        "en": "Where and when Warta reaches each officer: WhatsApp, email, and quiet hours.",
    },
    "directory_empty": {"id": "Direktori masih kosong.", "en": "The directory is empty."},
    "position": {"id": "Jabatan", "en": "Position"},
    "quiet_hours": {"id": "Jam tenang", "en": "Quiet hours"},
    "no_quiet_hours": {"id": "Tidak ada", "en": "None"},
    "add_to_directory": {"id": "Tambah ke direktori", "en": "Add to the directory"},
    "whatsapp_number": {"id": "Nomor WhatsApp", "en": "WhatsApp number"},
    "quiet_from": {"id": "Jam tenang mulai (WIB)", "en": "Quiet from (WIB)"},
    "quiet_until": {"id": "Jam tenang sampai (WIB)", "en": "Quiet until (WIB)"},
    "reach_by": {"id": "Dihubungi lewat", "en": "Reach by"},
    "rows_to_fix": {
        "id": "Berkas ini belum dapat diimpor: {n} baris perlu diperbaiki. Perbaiki berkasnya lalu impor lagi.",
        "en": "This file cannot be imported yet: {n} rows need fixing. Fix the file and import it again.",
    },
    "no_overruns": {"id": "Tidak ada penyimpangan pada periode ini.", "en": "No overruns in this period."},
    "none_overdue": {"id": "Tidak ada yang melewati mutu baku saat ini.", "en": "Nothing is over its standard now."},
    "period_reversed": {
        "id": "Tanggal akhir periode tidak boleh sebelum tanggal awalnya.",
        "en": "The period's end must not be before its start.",
    },
    "chosen": {"id": "Periode pilihan", "en": "Chosen period"},
    "period_from": {"id": "Dari tanggal", "en": "From"},
    "period_to": {"id": "Sampai tanggal", "en": "Until"},
    "show": {"id": "Tampilkan", "en": "Show"},
    "this_week_and_month": {"id": "Minggu dan bulan ini", "en": "This week and month"},
    "step_name": {"id": "Nama langkah", "en": "Step"},
    "part_body": {"id": "Isi berita", "en": "Body"},
    "corrected_by": {"id": "dikoreksi oleh", "en": "corrected by"},
    "earlier_returns": {"id": "Pengembalian sebelumnya", "en": "Earlier returns"},
    "returned_for_fixing": {"id": "Dikembalikan untuk diperbaiki", "en": "Returned to be corrected"},
    "not_sent_for_review": {
        "id": "Naskah sudah disimpan, tetapi belum dapat dikirim untuk diperiksa. Yang masih kurang ditandai "
        "di samping isiannya dan didaftar di atas tombol Kirim.",
        "en": "The draft is saved, but it cannot be sent for review yet. What is missing is marked beside its "
        "field and listed above the Send button.",
    },
    "credit": {"id": "Kredit", "en": "Credit"},
    "asset_added": {"id": "Ditambahkan", "en": "Added"},
    "asset_removed": {"id": "Dihapus", "en": "Removed"},
    "asset_replaced": {"id": "Diganti", "en": "Replaced"},
    "asset_recaptioned": {"id": "Keterangan diubah", "en": "Caption changed"},
    "post_added": {"id": "ditambahkan", "en": "added"},
    "post_removed": {"id": "dihapus", "en": "removed"},
    "post_changed": {"id": "diubah", "en": "changed"},
    "returned_version": {"id": "Versi {version} dikembalikan", "en": "Version {version} was returned"},
    "other_reason": {"id": "Alasan lain", "en": "Other reason"},
    "style_warnings": {"id": "Saran gaya penulisan", "en": "Style suggestions"},
    "style_title_too_long": {
        "id": "Judul {words} kata, {characters} karakter: sebaiknya paling banyak {max_words} kata dan "
        "{max_characters} karakter.",
        "en": "The title has {words} words, {characters} characters: keep it to {max_words} words and "
        "{max_characters} characters.",
    },
    "style_lead_missing": {"id": "Teras berita belum ditulis.", "en": "The lead is not written yet."},
    "style_lead_too_long": {
        "id": "Teras berita {words} kata: sebaiknya paling banyak {max_words} kata.",
        "en": "The lead has {words} words: keep it to {max_words}.",
    },
    "style_dateline_missing": {
        "id": "Tanggal berita belum diisi.",
        "en": "The dateline has no date.",
    },
    "style_body_short": {
        "id": "Isi berita baru {words} kata: siaran pers biasanya paling sedikit {min_words} kata.",
        "en": "The body has {words} words: a release usually has at least {min_words}.",
    },
    "captions": {"id": "Keterangan foto", "en": "Photo captions"},
    "caption_of": {"id": "Keterangan foto", "en": "Caption of"},
    "remove_asset": {"id": "Hapus", "en": "Remove"},
    "row": {"id": "Baris", "en": "Row"},
    "column": {"id": "kolom", "en": "column"},
    "suggestion_why": {"id": "Mengapa tim ini diusulkan", "en": "Why this team is suggested"},
    "suggestion_intro": {
        "id": "Usulan sudah terisi di formulir di bawah; ubah bila perlu. Dipilih yang bebas pada waktu kegiatan "
        "dan paling sedikit bertugas dalam 30 hari terakhir.",
        "en": "The suggestion fills the form below; change it as needed. Chosen: free at the event's time and least "
        "busy over the last 30 days.",
    },
    "pick_officer": {
        "id": "{name} sebagai {task}: bebas pada waktu itu, {hours} jam bertugas dalam 30 hari terakhir "
        "({free} petugas bebas untuk tugas ini).",
        "en": "{name} as {task}: free then, {hours} h on duty in the last 30 days ({free} free for this task).",
    },
    "pick_item": {
        "id": "{item}: siap dan bebas, dipakai {hours} jam dalam 30 hari terakhir.",
        "en": "{item}: ready and free, used {hours} h in the last 30 days.",
    },
    "passed_inactive": {"id": "{name} tidak diusulkan: tidak aktif.", "en": "{name} not suggested: inactive."},
    "passed_unavailable": {
        "id": "{name} tidak diusulkan: berhalangan ({detail}).",
        "en": "{name} not suggested: away ({detail}).",
    },
    "passed_booked": {
        "id": "{name} tidak diusulkan: sudah ditugaskan pada {detail}.",
        "en": "{name} not suggested: booked for {detail}.",
    },
    "passed_in_repair": {
        "id": "{name} tidak diusulkan: sedang diperbaiki.",
        "en": "{name} not suggested: in repair.",
    },
    "nobody_free": {"id": "Tidak ada yang bebas untuk: {what}", "en": "Nobody free for: {what}"},
    "not_a_date": {"id": "Bukan tanggal yang sah: {day}", "en": "Not a date: {day}"},
    "search_register": {"id": "Cari di buku agenda", "en": "Search the register"},
    "subject_words": {"id": "Kata dalam perihal", "en": "Words in the subject"},
    "received_from": {"id": "Diterima sejak", "en": "Received from"},
    "received_to": {"id": "Diterima sampai", "en": "Received until"},
    "all": {"id": "Semua", "en": "All"},
    "search": {"id": "Cari", "en": "Search"},
    "clear_search": {"id": "Hapus pencarian", "en": "Clear the search"},
    "found": {"id": "{n} surat ditemukan", "en": "{n} letters found"},
    "found_more": {"id": "Lebih dari {n} surat ditemukan", "en": "More than {n} letters found"},
    "export_csv": {"id": "Unduh CSV", "en": "Download CSV"},
    "received": {"id": "Diterima", "en": "Received"},
    "event": {"id": "Kegiatan", "en": "Event"},
    "pages": {"id": "Halaman", "en": "Pages"},
    "previous": {"id": "Sebelumnya", "en": "Previous"},
    "next": {"id": "Berikutnya", "en": "Next"},
    "page_of": {"id": "Halaman {page} dari {pages}", "en": "Page {page} of {pages}"},
    "scan_file": {"id": "Pindaian surat (PDF, JPEG atau PNG)", "en": "Scanned letter (PDF, JPEG or PNG)"},
    "scan_hint": {"id": "Paling besar 20 MB.", "en": "At most 20 MB."},
    "scan_kept": {"id": "Pindaian sudah diunggah:", "en": "Scan already uploaded:"},
    "scan": {"id": "Pindaian surat", "en": "Scanned letter"},
    "see_scan": {"id": "Lihat pindaian surat", "en": "See the scanned letter"},
    "clashes": {"id": "Kegiatan lain pada waktu yang sama", "en": "Other events at the same time"},
    "clashes_away": {
        "id": "Pemeriksaan bentrok jadwal tidak dapat ditampilkan saat ini.",
        "en": "The clash check cannot be shown just now.",
    },
    "no_clashes": {
        "id": "Tidak ada kegiatan lain yang sudah diterima pada waktu ini.",
        "en": "No other accepted event at this time.",
    },
    "same_leader": {"id": "pimpinan yang sama", "en": "the same leader"},
    "about_request": {"id": "Tentang permohonan ini", "en": "About this request"},
    "agenda_number": {"id": "No. agenda", "en": "Agenda no."},
    "when": {"id": "Waktu", "en": "When"},
    "where": {"id": "Tempat", "en": "Where"},
    "leader": {"id": "Pimpinan", "en": "Leader"},
    "now_at": {"id": "Sekarang", "en": "Now"},
    "main_menu": {"id": "Menu utama", "en": "Main menu"},
    "menu": {"id": "Menu", "en": "Menu"},
    "help": {"id": "Bantuan", "en": "Help"},
    "help_intro": {
        "id": "Warta mencatat setiap permohonan peliputan kegiatan pimpinan dari surat masuk sampai siaran pers "
        "terbit, mengikuti SOP {number} Bagian Protokol dan Komunikasi Pimpinan Kota Tangerang.",
        "en": "Warta follows every request to cover a leadership event from its letter to the published press "
        "release, under SOP {number} of the City of Tangerang's Protocol and Leadership Communication section.",
    },
    "help_yours": {"id": "Tugas Anda", "en": "Your part"},
    "help_none_yours": {
        "id": "Peran Anda tidak melaksanakan langkah SOP; Anda dapat melihat buku agenda surat dan agenda pimpinan.",
        "en": "Your role carries out no SOP step; you can read the letter register and the leadership agenda.",
    },
    "help_where_1": {
        "id": "Di Beranda pilih «Registrasi surat permohonan», isi data surat dan lampirkan pindaiannya. Lembar "
        "disposisi dicetak dari halaman permohonan.",
        "en": "On Home choose «Register a request letter», fill in the letter and attach its scan. The "
        "disposition sheet is printed from the request's page.",
    },
    "help_where_2": {
        "id": "Surat yang menunggu disposisi muncul di Beranda. Bukalah, periksa jadwal pimpinan yang bentrok, "
        "lalu tetapkan disposisinya.",
        "en": "Letters awaiting your disposition appear on Home. Open one, check the leader's clashing events, "
        "then decide its disposition.",
    },
    "help_where_3": {
        "id": "Permohonan yang sudah didisposisi muncul di Beranda. Di halaman penugasan pilih anggota tim, "
        "tugas dan peralatannya; saran Warta menjelaskan siapa yang bebas dan mengapa.",
        "en": "Disposed requests appear on Home. On the assignment page choose the members, their tasks and "
        "the kit; Warta's suggestion explains who is free and why.",
    },
    "help_where_4": {
        "id": "Penugasan Anda muncul di Beranda. Di ruang kerja liputan tulis siaran pers, unggah foto dan "
        "video (unggahan yang terputus dilanjutkan), siapkan unggahan media sosial, lalu kirim untuk diperiksa.",
        "en": "Your assignments appear on Home. In the coverage workspace write the release, upload photos and "
        "videos (a broken upload resumes), prepare the social posts, then send it for review.",
    },
    "help_where_5": {
        "id": "Versi yang dikirim tim muncul di Beranda. Periksa naskah, foto, video dan perubahannya; setujui "
        "untuk diteruskan ke kepala bagian, atau kembalikan ke tim dengan alasan dan komentar.",
        "en": "Versions the team sent appear on Home. Check the text, photos, video and changes; approve to pass "
        "it to the section head, or return it to the team with a reason and comments.",
    },
    "help_where_6": {
        "id": "Versi yang disetujui ketua tim muncul di Beranda. Setujui untuk diterbitkan, atau kembalikan ke "
        "ketua tim dengan alasan.",
        "en": "Versions the team lead approved appear on Home. Approve them for publication, or return them to "
        "the team lead with a reason.",
    },
    "help_where_7": {
        "id": "Siaran pers yang disetujui muncul di Beranda. Di halaman publikasi terbitkan ke situs web Kota "
        "Tangerang dan kirim ke media terdaftar, lalu lihat status setiap surel.",
        "en": "Approved releases appear on Home. On the publication page publish to the City of Tangerang "
        "website and email the registered media, then follow each email's state.",
    },
    "help_light": {"id": "Lampu waktu", "en": "The time light"},
    "help_green": {
        "id": "Hijau: waktu yang terpakai masih di bawah 80% mutu baku.",
        "en": "Green: under 80% of the standard time used.",
    },
    "help_amber": {
        "id": "Kuning: sudah 80% mutu baku atau lebih; segera selesaikan.",
        "en": "Amber: 80% of the standard or more used; finish soon.",
    },
    "help_red": {"id": "Merah: mutu baku terlampaui.", "en": "Red: over the standard time."},
    "help_deviation": {
        "id": "Langkah yang selesai melewati mutu baku dicatat sebagai penyimpangan atas nama pelaksananya, "
        "yang menjelaskannya di halaman",
        "en": "A step finished over its standard is recorded as a deviation in its executor's name, who "
        "explains it on the page",
    },
    "help_returns": {
        "id": "Ketua tim dapat mengembalikan versi ke tim peliputan, dan kepala bagian ke ketua tim; alasan dan "
        "komentarnya tampil di atas ruang kerja.",
        "en": "The team lead may return a version to the coverage team, and the section head to the team lead; "
        "the reason and comments show at the top of the workspace.",
    },
    "help_times": {"id": "Semua waktu ditampilkan dalam WIB.", "en": "All times are shown in WIB (Jakarta time)."},
    "help_steps": {"id": "Langkah-langkah SOP {number}", "en": "The steps of SOP {number}"},
    "help_actor": {"id": "Pelaksana", "en": "Executor"},
    "help_activity": {"id": "Kegiatan", "en": "Activity"},
    "help_output": {"id": "Keluaran", "en": "Output"},
    "help_standard": {"id": "Mutu baku", "en": "Standard"},
    "help_total": {"id": "Jumlah", "en": "Total"},
    "home": {"id": "Beranda", "en": "Home"},
    "letter_register": {"id": "Buku agenda surat", "en": "Letter register"},
    "not_media": {
        "id": "Berkas ini bukan foto (JPEG, PNG, HEIC) atau video (MP4, MOV).",
        "en": "This file is not a photo (JPEG, PNG, HEIC) or a video (MP4, MOV).",
    },
    "letter_state": {"id": "Status surat", "en": "Letter"},
    "stage_received": {"id": "Menunggu disposisi kepala bagian", "en": "Awaiting the section head's disposition"},
    "stage_disposed": {"id": "Menunggu pembagian tim liputan", "en": "Awaiting a coverage team"},
    "stage_declined": {"id": "Ditolak", "en": "Declined"},
    "stage_assigned": {"id": "Sedang diliput", "en": "Being covered"},
    "stage_in_review": {"id": "Sedang diperiksa", "en": "In review"},
    "stage_returned": {"id": "Dikembalikan untuk diperbaiki", "en": "Returned for changes"},
    "stage_approved": {"id": "Disetujui, menunggu dipublikasikan", "en": "Approved, awaiting publication"},
    "stage_published": {"id": "Terbit", "en": "Published"},
    "outlet": {"id": "Media", "en": "Outlet"},
    "calendar_intro": {
        "id": "Salin alamat di bawah ke aplikasi kalender Anda (misalnya Google Kalender: Tambah kalender, "
        "lalu Dari URL). Kalender diperbarui sendiri setiap ada penugasan baru.",
        "en": "Copy an address below into your calendar app (e.g. Google Calendar: Add calendar, then From URL). "
        "It updates itself with every new assignment.",
    },
    "calendar_mine": {"id": "Penugasan liputan saya", "en": "My coverage assignments"},
    "calendar_agenda": {"id": "Agenda pimpinan", "en": "Leadership agenda"},
    "calendar_private": {
        "id": "Alamat ini bersifat pribadi: jangan dibagikan. Bila bocor, minta operator mengganti kuncinya.",
        "en": "These addresses are private: do not share them. If one leaks, ask the operators to change the key.",
    },
    "standards_of": {"id": "Mutu baku waktu menurut SOP nomor", "en": "Time standards of SOP no."},
    "refused": {"id": "Permintaan ditolak", "en": "The request was refused"},
    "error": {"id": "Terjadi kesalahan", "en": "Something went wrong"},
    "error_text": {
        "id": "Halaman ini tidak dapat ditampilkan. Coba lagi; bila berulang, hubungi operator.",
        "en": "This page cannot be shown. Try again; if it happens again, call the operator.",
    },
    "assign": {"id": "Bagi tim liputan", "en": "Assign the team"},
    "member": {"id": "Anggota", "en": "Member"},
    "coverage_role": {"id": "Tugas", "en": "Task"},
    "equipment": {"id": "Peralatan", "en": "Equipment"},
    "needs_video": {"id": "Perlu video", "en": "Needs video"},
    "override_reason": {"id": "Alasan tetap menugaskan (bentrok)", "en": "Reason to assign despite the clash"},
    "workspace": {"id": "Ruang kerja liputan", "en": "Coverage workspace"},
    "versions": {"id": "Versi terkirim", "en": "Versions sent"},
    "returned_because": {"id": "Dikembalikan", "en": "Returned"},
    "release_title": {"id": "Judul siaran pers", "en": "Release title"},
    "dateline_date": {"id": "Tanggal berita", "en": "Dateline date"},
    "dateline_place": {"id": "Tempat berita", "en": "Dateline place"},
    "tags": {"id": "Tag (pisahkan dengan koma)", "en": "Tags (comma-separated)"},
    "embargo_until": {
        "id": "Jangan diterbitkan sebelum (WIB, boleh kosong)",
        "en": "Not to be published before (WIB, optional)",
    },
    "quotes": {"id": "Kutipan", "en": "Quotations"},
    "release_tags": {"id": "Tag", "en": "Tags"},
    "embargo_note": {"id": "Tidak boleh diterbitkan sebelum", "en": "Not to be published before"},
    "quotes_hint": {
        "id": "Kosongkan ketiga isian sebuah kutipan untuk menghapusnya.",
        "en": "Empty all three fields of a quotation to remove it.",
    },
    "quote_speaker": {"id": "Nama", "en": "Name"},
    "quote_function": {"id": "Jabatan", "en": "Function"},
    "quote_text": {"id": "Isi kutipan", "en": "Quotation"},
    "lead": {"id": "Teras berita", "en": "Lead"},
    "body": {"id": "Isi berita", "en": "Body"},
    "words": {"id": "Jumlah kata", "en": "Words"},
    "save_draft": {"id": "Simpan naskah", "en": "Save the draft"},
    "media": {"id": "Foto dan video", "en": "Photos and video"},
    "file": {"id": "Berkas", "en": "File"},
    "kind": {"id": "Jenis", "en": "Kind"},
    "upload": {"id": "Unggah", "en": "Upload"},
    "social": {"id": "Media sosial", "en": "Social media"},
    "save_post": {"id": "Simpan unggahan", "en": "Save the post"},
    "notices": {"id": "Pemberitahuan", "en": "Notifications"},
    "notices_intro": {
        "id": "Pilih untuk tiap jenis pesan: dikirim segera, atau dikumpulkan menjadi satu ringkasan yang "
        "dikirim pada jam tertentu (misalnya tiap 30 menit: pukul 09.00, 09.30, dan seterusnya).",
        "en": "Choose for each kind of message: sent at once, or gathered into one digest sent on the clock "
        "(every 30 minutes, say: at 09.00, 09.30 and so on).",
    },
    "notices_always": {
        "id": "Pengingat batas waktu, pemberitahuan langkah yang melewati mutu baku, dan pesan tentang kegiatan "
        "yang segera dimulai selalu dikirim segera.",
        "en": "Deadline reminders, overrun notices and messages about an event about to start always go at once.",
    },
    "notices_unlisted": {
        "id": "Anda belum terdaftar di direktori pemberitahuan, jadi belum ada pesan yang dikirim kepada Anda. "
        "Mintalah admin kantor mencantumkan nomor WhatsApp atau email Anda.",
        "en": "You are not in the notification directory yet, so no message reaches you. "
        "Ask the office administrator to add your WhatsApp number or email.",
    },
    "notices_saved": {"id": "Pilihan Anda tersimpan.", "en": "Your choice is saved."},
    "at_once": {"id": "Segera", "en": "At once"},
    "digest_every": {"id": "Ringkasan tiap {n} menit", "en": "Digest every {n} minutes"},
    "save_choice": {"id": "Simpan pilihan", "en": "Save the choice"},
    "digest_kind_waiting": {
        "id": "Pekerjaan yang menunggu Anda (disposisi, pembagian tim, pemeriksaan versi)",
        "en": "Work waiting on you (disposition, assignment, reviewing a version)",
    },
    "digest_kind_assigned": {"id": "Penugasan liputan", "en": "Coverage assignments"},
    "digest_kind_returned": {"id": "Versi yang dikembalikan dengan catatan", "en": "Versions returned with a note"},
    "digest_kind_published": {"id": "Siaran pers yang telah terbit", "en": "Releases published"},
    "messages": {"id": "Pesan ke petugas", "en": "Messages to officers"},
    "messages_away": {
        "id": "Daftar pesan tidak dapat dibuka saat ini; coba lagi sebentar lagi.",
        "en": "The messages cannot be shown right now; try again shortly.",
    },
    "messages_none": {"id": "Belum ada pesan untuk permohonan ini.", "en": "No messages for this request yet."},
    "recipient": {"id": "Penerima", "en": "Recipient"},
    "message_kind": {"id": "Isi", "en": "About"},
    "channel": {"id": "Saluran", "en": "Channel"},
    "not_in_directory": {"id": "belum ada di direktori", "en": "not in the directory"},
    "send_failed_again": {"id": "Kirim ulang pesan yang gagal", "en": "Send the failed messages again"},
    "sent_again": {"id": "{n} pesan dikirim ulang.", "en": "{n} messages sent again."},
    "still_owed": {"id": "Yang masih harus diselesaikan", "en": "Still to do"},
    "owed_website": {"id": "Berita belum terbit di situs web kota.", "en": "Not yet on the city website."},
    "website_trouble_transient": {
        "id": "Percobaan ke-{n} ({at}) gagal: situs web tidak dapat dihubungi. Tekan Terbitkan untuk mencoba lagi.",
        "en": "Attempt {n} ({at}) failed: the website could not be reached. Press Publish to try again.",
    },
    "website_trouble_refused": {
        "id": "Percobaan ke-{n} ({at}) ditolak situs web. Minta pengelola situs memeriksa akun Warta, lalu tekan "
        "Terbitkan lagi, atau terbitkan manual dan catat alamatnya.",
        "en": "Attempt {n} ({at}) was refused by the website. Ask its keeper to check Warta's account, then press "
        "Publish again, or post by hand and record the address.",
    },
    "owed_email": {"id": "Email ke media belum dikirim.", "en": "The media have not been emailed yet."},
    "owed_emails_waiting": {
        "id": "{n} email ke media masih dalam antrean kirim; halaman ini diperbarui saat terkirim.",
        "en": "{n} media emails are still queued.",
    },
    "owed_emails_failed": {
        "id": "{n} email ke media gagal terkirim. Periksa alamatnya di daftar media bila perlu, lalu kirim ulang.",
        "en": "{n} media emails failed. Check the addresses in the media registry if need be, then send again.",
    },
    "email_failed_again": {"id": "Kirim ulang email yang gagal", "en": "Send the failed emails again"},
    "owed_social": {
        "id": "Unggahan {channel} belum dicatat: unggah paketnya, lalu catat alamat unggahannya.",
        "en": "The {channel} post is not recorded: post the package, then record its address.",
    },
    "owed_social_count": {
        "id": "{n} unggahan media sosial belum dicatat ({channels}); paketnya ada di bawah.",
        "en": "{n} social posts not recorded yet ({channels}); their packages are below.",
    },
    "social_packages": {"id": "Paket media sosial", "en": "Social media packages"},
    "package_text": {"id": "Teks untuk disalin", "en": "Text to copy"},
    "posted_at": {"id": "Sudah diunggah di", "en": "Posted at"},
    "posted_url": {"id": "Alamat unggahan", "en": "Address of the post on"},
    "record_post": {"id": "Catat unggahan", "en": "Record the post"},
    "owed_nothing": {"id": "Semua sudah selesai.", "en": "Everything is done."},
    "kind_photo": {"id": "foto", "en": "photo"},
    "kind_video": {"id": "video", "en": "video"},
    "remove_post": {"id": "Hapus unggahan", "en": "Remove the post"},
    "post_text": {"id": "Teks unggahan", "en": "Post text"},
    "post_title": {"id": "Judul video", "en": "Video title"},
    "post_media": {"id": "Foto dan video yang disertakan", "en": "Photos and videos included"},
    "post_saved": {"id": "tersimpan", "en": "saved"},
    "post_not_saved": {"id": "belum dibuat", "en": "not made yet"},
    "characters": {"id": "karakter", "en": "characters"},
    "x_counting": {
        "id": "X menghitung huruf Latin 1, emoji dan huruf lain 2, dan setiap tautan 23.",
        "en": "X counts Latin letters as 1, emoji and other scripts as 2, and every link as 23.",
    },
    "no_media_yet": {
        "id": "Belum ada foto atau video; unggah dulu di atas.",
        "en": "No photos or videos yet; upload them above.",
    },
    "unknown_channel": {
        "id": "Saluran media sosial itu tidak dikenal.",
        "en": "That social media channel is not known.",
    },
    "submit_version": {"id": "Kirim untuk diperiksa", "en": "Send for review"},
    "review": {"id": "Pemeriksaan", "en": "Review"},
    "version": {"id": "versi", "en": "version"},
    "changes": {"id": "Perubahan", "en": "Changes"},
    "decision": {"id": "Keputusan", "en": "Decision"},
    "approve": {"id": "Setujui", "en": "Approve"},
    "reject": {"id": "Kembalikan", "en": "Return"},
    "decide": {"id": "Putuskan", "en": "Decide"},
    "publication": {"id": "Publikasi", "en": "Publication"},
    "website": {"id": "Situs web", "en": "Website"},
    "website_url": {"id": "Alamat berita di situs kota", "en": "Address of the post on the city website"},
    "record_website": {"id": "Catat alamat", "en": "Record the address"},
    "publish": {"id": "Terbitkan dan kirim ke media", "en": "Publish and email the media"},
    "deliveries": {"id": "Pengiriman email", "en": "Emails"},
    "attempts": {"id": "Percobaan", "en": "Attempts"},
    "media_registry": {"id": "Daftar media", "en": "Media registry"},
    "contacts_added": {"id": "Kontak baru", "en": "Contacts added"},
    "contacts_updated": {"id": "Kontak diperbarui", "en": "Contacts updated"},
    "dry_run": {"id": "uji coba, belum disimpan", "en": "dry run, nothing saved"},
    "csv_file": {"id": "Berkas CSV", "en": "CSV file"},
    "apply_import": {"id": "Simpan hasil impor", "en": "Save the import"},
    "import": {"id": "Impor", "en": "Import"},
    "steps_pages": {"id": "Halaman langkah", "en": "Step pages"},
    "check_title": {"id": "Judul siaran pers terisi", "en": "The release has a title"},
    "check_body": {"id": "Isi berita terisi", "en": "The release has a body"},
    "check_photo": {"id": "Paling sedikit satu foto", "en": "At least one photo"},
    "check_video": {"id": "Video (diminta penugasan ini)", "en": "A video (this assignment asks for one)"},
    "checklist": {"id": "Kelengkapan", "en": "Completeness"},
    "dashboard": {"id": "Dasbor SOP", "en": "SOP dashboard"},
    "this_week": {"id": "Minggu ini", "en": "This week"},
    "this_month": {"id": "Bulan ini", "en": "This month"},
    "within_percent": {"id": "Sesuai mutu baku", "en": "Within the standard"},
    "finished": {"id": "Selesai", "en": "Finished"},
    "over": {"id": "Melewati", "en": "Over"},
    "overdue_now": {"id": "Melewati mutu baku sekarang", "en": "Over the standard now"},
    "officer_overruns": {"id": "Penyimpangan per petugas", "en": "Overruns per officer"},
    "officer": {"id": "Petugas", "en": "Officer"},
    "unnamed_officer": {"id": "petugas", "en": "an officer"},
    "minutes": {"id": "menit", "en": "minutes"},
    "agenda": {"id": "Agenda pimpinan", "en": "Leadership agenda"},
    "previous_week": {"id": "Minggu sebelumnya", "en": "Previous week"},
    "next_week": {"id": "Minggu berikutnya", "en": "Next week"},
    "previous_day": {"id": "Hari sebelumnya", "en": "Previous day"},
    "comments": {"id": "Komentar", "en": "Comments"},
    "no_comments": {"id": "Belum ada komentar.", "en": "No comments yet."},
    "comment": {"id": "Isi komentar", "en": "Comment text"},
    "comment_on": {"id": "Bagian yang dikomentari", "en": "Part commented on"},
    "send_comment": {"id": "Kirim komentar", "en": "Send the comment"},
    "resolved_by": {"id": "Selesai ditangani oleh", "en": "Resolved by"},
    "part_title": {"id": "Judul", "en": "Title"},
    "part_lead": {"id": "Teras berita", "en": "Lead"},
    "part_paragraph": {"id": "Paragraf", "en": "Paragraph"},
    "part_asset": {"id": "Foto/video", "en": "Photo/video"},
    "part_post": {"id": "Unggahan media sosial", "en": "Social post"},
    "next_day": {"id": "Hari berikutnya", "en": "Next day"},
    "whole_week": {"id": "Sepekan", "en": "The whole week"},
    "no_events": {"id": "Tidak ada kegiatan.", "en": "No events."},
    "letter.number": {"id": "Nomor surat", "en": "Letter number"},
    "letter.date": {"id": "Tanggal surat", "en": "Letter date"},
    "letter.sender": {"id": "Pengirim", "en": "Sender"},
    "letter.sender_kind": {"id": "Jenis pengirim", "en": "Kind of sender"},
    "letter.subject": {"id": "Perihal", "en": "Subject"},
    "letter.nature": {"id": "Sifat surat", "en": "Urgency"},
    "event.title": {"id": "Nama kegiatan", "en": "Event"},
    "event.location": {"id": "Tempat", "en": "Place"},
    "event.leader": {"id": "Pimpinan", "en": "Leader"},
    "event.starts_at": {"id": "Mulai (WIB)", "en": "Starts (WIB)"},
    "event.ends_at": {"id": "Selesai (WIB)", "en": "Ends (WIB)"},
}


# The services' states as the pages show them; the code stays in ``data-state`` for scripts and tests.
STATES: dict[str, dict[str, str]] = {
    "registered": {"id": "Terdaftar", "en": "Registered"},
    "awaiting_disposition": {"id": "Menunggu disposisi", "en": "Awaiting disposition"},
    "disposed": {"id": "Didisposisikan", "en": "Disposed"},
    "declined": {"id": "Ditolak", "en": "Declined"},
    "awaiting_assignment": {"id": "Menunggu pembagian tim", "en": "Awaiting assignment"},
    "assigned": {"id": "Tim ditugaskan", "en": "Team assigned"},
    "open": {"id": "Sedang dikerjakan", "en": "In progress"},
    "submitted": {"id": "Dikirim untuk diperiksa", "en": "Submitted for review"},
    "returned_to_team_lead": {"id": "Dikembalikan ke ketua tim", "en": "Returned to the team lead"},
    "awaiting_team_lead": {"id": "Menunggu pemeriksaan ketua tim", "en": "Awaiting the team lead's review"},
    "awaiting_section_head": {"id": "Menunggu persetujuan kepala bagian", "en": "Awaiting the section head's approval"},
    "returned_to_coverage": {"id": "Dikembalikan ke tim peliputan", "en": "Returned to the coverage team"},
    "approved": {"id": "Disetujui", "en": "Approved"},
    "ready": {"id": "Siap dipublikasikan", "en": "Ready to publish"},
    "published": {"id": "Terbit", "en": "Published"},
    "pending": {"id": "Menunggu dikirim", "en": "Waiting to be sent"},
    "sending": {"id": "Sedang dikirim", "en": "Sending"},
    "sent": {"id": "Terkirim", "en": "Sent"},
    "transient": {"id": "Gagal sementara, dicoba lagi", "en": "Failed for now, retried"},
    "failed": {"id": "Gagal", "en": "Failed"},
}

# The contracts' vocabularies a page may name by their class, for the ``vocabulary`` filter.
VOCABULARIES: dict[str, type[StrEnum]] = {
    kind.__name__: kind for kind in (CoverageRole, DispositionInstruction, Leader, LetterNature, Role, SenderKind)
}

ENGLISH_VOCABULARY: dict[StrEnum, str] = {
    Role.ADMIN: "Office administrator",
    Role.SECTION_HEAD: "Head of the Protocol and Leadership Communication section",
    Role.TEAM_LEAD: "Leadership documentation team lead",
    Role.COVERAGE_TEAM: "Coverage team",
    Leader.MAYOR: "Mayor",
    Leader.DEPUTY_MAYOR: "Deputy mayor",
    Leader.REGIONAL_SECRETARY: "Regional secretary",
    Leader.OTHER: "Other leader",
    CoverageRole.WRITER: "Writer",
    CoverageRole.PHOTOGRAPHER: "Photographer",
    CoverageRole.VIDEOGRAPHER: "Videographer",
    CoverageRole.EDITOR: "Editor",
    CoverageRole.SOCIAL_MEDIA: "Social media officer",
}


# The services answer in English with each problem's type (pydantic's, or a contract's own) and
# limits; these are the types an officer meets on the console's forms, in Bahasa Indonesia.
FIELD_PROBLEMS = {
    "missing": "wajib diisi",
    "string_too_short": "minimal {min_length} karakter",
    "string_too_long": "maksimal {max_length} karakter",
    "too_short": "minimal {min_length} isian",
    "too_long": "maksimal {max_length} isian",
    "greater_than_equal": "minimal {ge}",
    "greater_than": "harus lebih dari {gt}",
    "less_than_equal": "maksimal {le}",
    "less_than": "harus kurang dari {lt}",
    "enum": "pilih salah satu: {expected}",
    "literal_error": "pilih salah satu: {expected}",
    "int_parsing": "harus berupa bilangan bulat",
    "float_parsing": "harus berupa angka",
    "datetime_parsing": "bukan tanggal dan waktu yang sah",
    "datetime_from_date_parsing": "bukan tanggal dan waktu yang sah",
    "date_parsing": "bukan tanggal yang sah",
    "date_from_datetime_parsing": "bukan tanggal yang sah",
    "timezone_aware": "harus menyertakan zona waktu",
    "string_pattern_mismatch": "formatnya tidak sesuai",
    "url_parsing": "bukan alamat web yang sah",
    "url_scheme": "alamat web harus diawali http:// atau https://",
    "ends_before_start": "harus sesudah waktu mulai",
    "line_break": "harus satu baris, tanpa ganti baris atau tab",
    "control_character": "berisi karakter kendali yang tidak terlihat; hapus lalu ketik ulang",
    "bidi_control": "berisi karakter yang membalik arah tulisan; hapus lalu ketik ulang",
    "invisible_character": "berisi karakter tak terlihat atau tidak sah; hapus lalu ketik ulang",
    "string_unicode": "berisi karakter yang tidak sah; hapus lalu ketik ulang",
    "blank": "wajib diisi (hanya spasi tidak cukup)",
    "date_out_of_range": "tanggal di luar jangkauan (tahun 2000 sampai 2099)",
    "post_too_long": "terlalu panjang: paling banyak {max} karakter, teks ini {actual}",
    "too_many_hashtags": "paling banyak {max} tagar, teks ini memuat {actual}",
    "no_title": "saluran ini tidak memakai judul",
    "title_needed": "wajib diberi judul",
    "too_many_photos": "paling banyak {max} foto, yang dipilih {actual}",
    "too_many_videos": "paling banyak {max} video, yang dipilih {actual}",
    "too_few_media": "pilih paling sedikit {min} foto atau video",
    "video_needed": "wajib menyertakan video",
    "mixed_media": "foto dan video tidak boleh digabung dalam satu unggahan",
    "digest_minutes": "ringkasan hanya bisa tiap 15, 30, 60, atau 120 menit",
    "tus_version": "aplikasi pengunggah harus memakai tus versi {version}; muat ulang halaman lalu unggah lagi",
    "tus_content_type": "bagian berkas terkirim dalam bentuk yang salah; muat ulang halaman lalu unggah lagi",
    # The services' own rules (``FieldProblem.type``), with the names, numbers and times they give.
    "too_large": "isian terlalu besar: paling banyak {max_bytes} byte",
    "unreadable": "isi permintaan tidak dapat dibaca; muat ulang halaman lalu coba lagi",
    "range_reversed": "tidak boleh lebih awal dari tanggal mulai",
    "id_mismatch": "harus sama dengan {expected}",
    "file_too_large": "ukuran berkas melebihi batas {limit}",
    "empty_file": "berkas kosong; pindai atau simpan ulang lalu unggah kembali",
    "content_length": "ukuran berkas yang dikirim tidak terbaca; silakan unggah ulang",
    "too_many_pixels": "gambar terlalu besar, lebih dari {max_pixels} piksel; perkecil ukurannya lalu unggah lagi",
    "image_damaged": "gambar tidak utuh atau rusak; silakan unggah ulang berkas aslinya",
    "not_spreadsheet_text": "berkas ini bukan CSV yang dapat dibaca; simpan dari Excel sebagai «CSV UTF-8» lalu "
    "unggah lagi",
    "not_scan_type": "pindaian surat harus berupa berkas PDF, JPEG, atau PNG",
    "pdf_incomplete": "berkas PDF tidak utuh, mungkin pengirimannya terputus; silakan unggah ulang",
    "pdf_damaged": "berkas PDF rusak dan tidak dapat dibuka; pindai atau simpan ulang lalu unggah kembali",
    "pdf_locked": "berkas PDF dikunci dengan kata sandi; pindai atau simpan ulang tanpa kata sandi",
    "pdf_no_pages": "berkas PDF tidak berisi halaman",
    "scan_unavailable": "pindaian ini tidak ditemukan atau sudah dipakai untuk permohonan lain; silakan unggah ulang",
    "already_registered": "surat ini sudah terdaftar sebagai agenda {agenda_number}",
    "in_future": "tidak boleh melewati waktu sekarang",
    "after_registration": "tidak boleh sesudah waktu surat diregistrasi ({registered_at})",
    "dated_after_receipt": "tanggal surat tidak boleh sesudah tanggal surat diterima ({received_on})",
    "event_over": "kegiatan sudah berakhir pada {ended}, lebih dari {hours} jam yang lalu, sehingga tidak dapat "
    "lagi diliput",
    "cannot_remove": "tidak boleh dikosongkan",
    "instruction_needed": "centang paling sedikit satu isi disposisi",
    "nothing_to_override": "tidak perlu alasan: tidak ada jadwal lain yang bentrok pada waktu ini",
    "officer_inactive": "{name} tidak aktif dalam daftar petugas",
    "officer_unavailable": "{name} berhalangan ({reason}) pada {period}",
    "in_repair": "{name} sedang dalam perbaikan",
    "booked_elsewhere": "{name} sudah terjadwal untuk agenda {agenda_number} «{title}» ({period}), dalam jeda "
    "perjalanan {minutes} menit; bila tetap ingin menugaskan, tuliskan alasannya pada isian «Alasan tetap menugaskan»",
    "listed_twice": "ada petugas yang tercantum dua kali untuk tugas yang sama",
    "item_listed_twice": "ada peralatan yang tercantum lebih dari satu kali",
    "not_on_roster": "petugas {officer_id} tidak ada dalam daftar petugas",
    "lacks_skill": "{name} tidak terdaftar sebagai {role}",
    "not_in_inventory": "peralatan {item_id} tidak ada dalam daftar peralatan",
    "team_needs_role": "tim liputan memerlukan seorang {role}",
    "kit_needs_item": "peralatan harus memuat {kind}",
    "video_needs_item": "liputan video memerlukan {kind}; bila tidak perlu video, hapus centang «Perlu video»",
    "not_photo_or_video": "berkas ini bukan foto (JPEG, PNG, HEIC) atau video (MP4, MOV)",
    "not_declared_kind": "berkas ini {actual} ({format}), bukan {declared} seperti yang dipilih",
    "more_than_declared": "berkas lebih besar daripada ukuran yang disebutkan saat mulai diunggah ({size}); "
    "silakan unggah ulang dari awal",
    "upload_offset": "unggahan sudah sampai byte ke-{offset}; lanjutkan dari situ",
    "upload_complete": "unggahan ini sudah lengkap; tidak ada lagi yang perlu dikirim",
    "video_incomplete": "video tidak utuh atau rusak, mungkin pengirimannya terputus; silakan unggah ulang",
    "video_damaged": "video rusak: bagian kepalanya terpotong, sehingga tidak dapat diputar; silakan unggah ulang",
    "still_uploading": "{filename} masih diunggah ({progress}%); tunggu sampai selesai atau batalkan dulu sebelum "
    "mengirim",
    "not_in_workspace": "foto atau video ini tidak ada di ruang kerja liputan ini",
    "release_needs_title": "siaran pers wajib diberi judul",
    "release_needs_body": "isi siaran pers wajib diisi",
    "nothing_to_read": "tidak berisi kata yang akan terbaca pembaca (hanya kode atau tanda)",
    "photo_needed": "wajib melampirkan paling sedikit satu foto",
    "assignment_needs_video": "penugasan ini meminta video: unggah paling sedikit satu video",
    "no_such_paragraph": "versi {version} hanya memiliki {count} paragraf",
    "no_such_asset": "foto atau video itu tidak ada di versi {version}",
    "no_such_post": "unggahan media sosial untuk saluran itu tidak ada di versi {version}",
    "no_lead": "versi {version} tidak memiliki teras berita",
    "reply_not_thread": "ini balasan; yang dapat ditandai selesai adalah komentar awalnya",
    "rejection_needs_reason": "pilih alasan pengembalian",
    "rejection_needs_note": "tuliskan catatan tentang apa yang perlu diperbaiki",
    "column_missing": "kolom «{column}» tidak ada di baris judul (baris 1)",
    "cell_required": "baris {row}: kolom «{column}» wajib diisi",
    "cell_choice": "baris {row}: isi kolom «{column}» harus salah satu dari «{expected}»",
    "cell_yes_no": "baris {row}: isi kolom «{column}» harus «ya» atau «tidak»",
    "email_invalid": "baris {row}: «{value}» bukan alamat email yang sah",
    "email_repeated": "baris {row}: alamat email {email} sudah tercantum di baris {earlier_row}",
    "outlet_differs": "baris {row}: data media «{outlet}» berbeda dengan baris sebelumnya untuk media yang sama",
}

# What a message to an officer was about (the notifier's ``kind``), as its list shows it.
MESSAGE_KINDS: dict[str, dict[str, str]] = {
    "waiting.disposition": {"id": "Permohonan menunggu disposisi", "en": "Request awaiting disposition"},
    "waiting.assignment": {"id": "Menunggu pembagian tim", "en": "Awaiting assignment"},
    "assigned": {"id": "Penugasan liputan", "en": "Coverage assignment"},
    "waiting.review.team_lead": {"id": "Versi menunggu pemeriksaan ketua tim", "en": "Version awaiting the team lead"},
    "waiting.review.section_head": {
        "id": "Versi menunggu persetujuan kepala bagian",
        "en": "Version awaiting the section head",
    },
    "returned.team": {"id": "Versi dikembalikan ke tim", "en": "Version returned to the team"},
    "returned.team_lead": {"id": "Versi dikembalikan ke ketua tim", "en": "Version returned to the team lead"},
    "published": {"id": "Siaran pers terbit", "en": "Release published"},
    "warning": {"id": "Pengingat batas waktu langkah {step}", "en": "Deadline reminder, step {step}"},
    "overdue": {"id": "Langkah {step} melewati mutu baku", "en": "Step {step} over its standard"},
    "digest": {"id": "Ringkasan pemberitahuan", "en": "Digest of notices"},
}


def field_message(problem: dict[str, Any], lang: str) -> str:
    """A field problem from an API in the officer's language; its own words where the console does
    not know its type (a rule of a service, say, which names its own reason)."""
    message = str(problem.get("message", ""))
    template = FIELD_PROBLEMS.get(str(problem.get("type", ""))) if lang == "id" else None
    limits = problem.get("limits") or {}
    if template is None:
        return message
    if problem.get("type") == "string_too_short" and limits.get("min_length") == "1":
        return FIELD_PROBLEMS["missing"]
    try:
        return template.format(**limits)
    except KeyError:  # a limit the answer did not give: the English says it
        return message


def message_kind_label(kind: str, lang: str) -> str:
    """``warning.step3`` → "Pengingat batas waktu langkah 3"; a kind the console does not know is
    shown as a general notice rather than as its code."""
    group, _, rest = kind.partition(".")
    words = MESSAGE_KINDS.get(kind) or MESSAGE_KINDS.get(group)
    if words is None:
        return "Pemberitahuan" if lang == "id" else "Notice"
    return (words.get(lang) or words["id"]).format(step=rest.removeprefix("step"))


def state_label(code: str, lang: str) -> str:
    words = STATES.get(code)
    return (words.get(lang) or words["id"]) if words else code


def role_label(code: str, lang: str) -> str:
    """An SOP role's name: the contracts' Indonesian one, or its English."""
    return _vocabulary(Role, code, lang)


def leader_label(code: str, lang: str) -> str:
    return _vocabulary(Leader, code, lang)


def task_label(code: str, lang: str) -> str:
    """A team member's task on an assignment (writer, photographer, ...)."""
    return _vocabulary(CoverageRole, code, lang)


def _vocabulary(kind: type[Role] | type[Leader] | type[CoverageRole], code: str, lang: str) -> str:
    try:
        value = kind(code)
    except ValueError:
        return code
    return ENGLISH_VOCABULARY[value] if lang == "en" else label(value)


# The scheduler's kinds of kit (its ``EquipmentKind``), as the section names them.
KIT_KINDS: dict[str, dict[str, str]] = {
    "camera": {"id": "Kamera", "en": "Camera"},
    "camcorder": {"id": "Kamera video", "en": "Camcorder"},
    "audio_recorder": {"id": "Alat perekam suara", "en": "Audio recorder"},
    "lighting": {"id": "Lampu", "en": "Lighting"},
    "vehicle": {"id": "Kendaraan", "en": "Vehicle"},
}


def review_level_label(code: str, lang: str) -> str:
    """Who returned a version: the team lead (step 5) or the section head (step 6)."""
    return role_label(code, lang)


def needed_label(code: str, lang: str) -> str:
    """What a suggestion found nobody free for: a task of the team or a kind of kit."""
    kit = KIT_KINDS.get(code)
    return (kit.get(lang) or kit["id"]) if kit else task_label(code, lang)


def vocabulary_label(code: str, kind: str, lang: str) -> str:
    """A contracts' vocabulary value (``LetterNature`` ``segera``) as the office writes it."""
    vocabulary = VOCABULARIES[kind]
    try:
        value = vocabulary(code)
    except ValueError:
        return code
    return ENGLISH_VOCABULARY.get(value, label(value)) if lang == "en" else label(value)


def translate(key: str, lang: str) -> str:
    words = WORDS.get(key)
    if words is None:
        return key
    return words.get(lang) or words["id"]


# What a refusal means, by the API's ``error`` code, in the officer's words: the services explain
# themselves in English for the operators' logs, and the console says it the office's way.
REFUSALS: dict[str, dict[str, str]] = {
    "validation_failed": {
        "id": "Ada isian yang belum benar; lihat keterangan di samping isian.",
        "en": "Some fields need correcting; see the notes beside them.",
    },
    "invalid_input": {
        "id": "Belum dapat disimpan: ada yang belum memenuhi ketentuan SOP; lihat keterangannya.",
        "en": "Not saved yet: something does not meet the SOP's rules; see the notes.",
    },
    "illegal_transition": {
        "id": "Tindakan ini tidak dapat dilakukan pada tahap sekarang.",
        "en": "This cannot be done at the current stage.",
    },
    "illegal_transition_in": {
        "id": "Tindakan ini tidak dapat dilakukan: statusnya sekarang «{state}». Muat ulang halaman untuk melihat "
        "keadaan terbaru.",
        "en": "This cannot be done: the state is now «{state}». Reload the page to see where things stand.",
    },
    "conflict": {
        "id": "Data ini baru saja diubah petugas lain atau sudah tercatat sebelumnya. Muat ulang halaman lalu "
        "periksa kembali.",
        "en": "Someone changed this just now, or it is already recorded. Reload the page and check again.",
    },
    "not_found": {"id": "Data yang dicari tidak ditemukan.", "en": "What you looked for was not found."},
    "forbidden": {
        "id": "Peran Anda tidak berwenang melakukan tindakan ini.",
        "en": "Your role may not do this.",
    },
    "unauthenticated": {"id": "Sesi Anda berakhir; silakan masuk kembali.", "en": "Your session ended; sign in again."},
    "payload_too_large": {"id": "Berkas atau isian terlalu besar.", "en": "The file or the text is too large."},
    "unsupported_media_type": {
        "id": "Jenis berkas ini tidak diterima.",
        "en": "This kind of file is not accepted.",
    },
    "too_many_requests": {
        "id": "Terlalu banyak permintaan dalam waktu singkat; tunggu sebentar lalu coba lagi.",
        "en": "Too many requests at once; wait a moment and try again.",
    },
    "unavailable": {
        "id": "Layanan sedang tidak dapat dihubungi; coba lagi sebentar lagi. Bila berulang, hubungi operator.",
        "en": "A service cannot be reached just now; try again shortly. If it persists, call the operators.",
    },
}
REFUSED_OTHERWISE = {
    "id": "Permintaan tidak dapat diproses. Coba lagi; bila berulang, hubungi operator.",
    "en": "The request could not be processed. Try again; if it persists, call the operators.",
}


def refusal_message(body: Any, lang: str) -> str:
    """A service's refusal as the officer reads it: what it means by its code (and, for a step
    taken out of turn, the state the record is in), never the service's English sentence."""
    code = str(body.get("error", "")) if isinstance(body, dict) else ""
    state = body.get("state") if isinstance(body, dict) else None
    if code == "illegal_transition" and isinstance(state, str) and state in STATES:
        return REFUSALS["illegal_transition_in"][lang if lang in LANGUAGES else "id"].format(
            state=state_label(state, lang)
        )
    words = REFUSALS.get(code, REFUSED_OTHERWISE)
    return words.get(lang) or words["id"]
