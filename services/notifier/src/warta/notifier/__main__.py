from warta.runtime.serve import run

from .app import NotifierSettings, create_app

if __name__ == "__main__":
    run(NotifierSettings, create_app)
