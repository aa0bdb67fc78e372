from warta.runtime.serve import serve

from .app import NotifierSettings, create_app

if __name__ == "__main__":
    settings = NotifierSettings()
    serve(create_app(settings), settings)
