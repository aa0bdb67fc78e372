from warta.runtime.serve import run

from .app import ConsoleSettings, create_app

if __name__ == "__main__":
    run(ConsoleSettings, create_app)
