from warta.runtime.serve import serve

from .app import IntakeSettings, create_app

if __name__ == "__main__":
    settings = IntakeSettings()
    serve(create_app(settings), settings)
