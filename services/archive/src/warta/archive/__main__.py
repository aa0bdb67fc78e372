from warta.runtime.serve import run

from .app import ArchiveSettings, create_app

if __name__ == "__main__":
    run(ArchiveSettings, create_app)
