from warta.runtime.serve import serve

from .app import PublisherSettings, create_app

if __name__ == "__main__":
    settings = PublisherSettings()
    serve(create_app(settings), settings)
