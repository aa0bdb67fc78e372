from warta.runtime.serve import serve

from .app import ConsoleSettings, create_app

if __name__ == "__main__":
    settings = ConsoleSettings()
    serve(create_app(settings), settings)
