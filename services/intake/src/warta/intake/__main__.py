from warta.runtime.serve import run

from .app import IntakeSettings, create_app

if __name__ == "__main__":
    run(IntakeSettings, create_app)
