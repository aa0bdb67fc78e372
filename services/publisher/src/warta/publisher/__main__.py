from warta.runtime.serve import run

from .app import PublisherSettings, create_app

if __name__ == "__main__":
    run(PublisherSettings, create_app)
