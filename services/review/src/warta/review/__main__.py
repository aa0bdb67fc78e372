from warta.runtime.serve import run

from .app import ReviewSettings, create_app

if __name__ == "__main__":
    run(ReviewSettings, create_app)
