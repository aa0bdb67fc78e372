from warta.runtime.serve import serve

from .app import ArchiveSettings, create_app

if __name__ == "__main__":
    settings = ArchiveSettings()
    serve(create_app(settings), settings)
