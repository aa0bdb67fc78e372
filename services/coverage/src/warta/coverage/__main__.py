from warta.runtime.serve import serve

from .app import CoverageSettings, create_app

if __name__ == "__main__":
    settings = CoverageSettings()
    serve(create_app(settings), settings)
