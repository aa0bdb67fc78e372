"""The console's words, in Bahasa Indonesia first and English on request."""

LANGUAGES = ("id", "en")

WORDS: dict[str, dict[str, str]] = {
    "title": {"id": "Warta — Prokopim Kota Tangerang", "en": "Warta — Prokopim, City of Tangerang"},
    "sign_in": {"id": "Masuk", "en": "Sign in"},
    "sign_out": {"id": "Keluar", "en": "Sign out"},
    "choose_officer": {"id": "Pilih petugas (pengembangan)", "en": "Choose an officer (development)"},
    "oidc_only": {
        "id": "Masuk melalui penyedia identitas Pemerintah Kota belum tersedia di konsol ini.",
        "en": "Signing in through the city's identity provider is not available in this console yet.",
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
    "refused": {"id": "Permintaan ditolak", "en": "The request was refused"},
    "error": {"id": "Terjadi kesalahan", "en": "Something went wrong"},
    "error_text": {
        "id": "Halaman ini tidak dapat ditampilkan. Coba lagi; bila berulang, hubungi operator.",
        "en": "This page cannot be shown. Try again; if it happens again, call the operator.",
    },
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


def translate(key: str, lang: str) -> str:
    words = WORDS.get(key)
    if words is None:
        return key
    return words.get(lang) or words["id"]
