from warta.runtime.serve import serve

from .app import SchedulerSettings, create_app

if __name__ == "__main__":
    settings = SchedulerSettings()
    serve(create_app(settings), settings)
