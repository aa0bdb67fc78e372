from warta.runtime.serve import run

from .app import CoverageSettings, create_app

if __name__ == "__main__":
    run(CoverageSettings, create_app)
