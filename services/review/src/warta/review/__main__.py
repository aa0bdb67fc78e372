from warta.runtime.serve import serve

from .app import ReviewSettings, create_app

if __name__ == "__main__":
    settings = ReviewSettings()
    serve(create_app(settings), settings)
