from warta.runtime.serve import run

from .app import SchedulerSettings, create_app

if __name__ == "__main__":
    run(SchedulerSettings, create_app)
