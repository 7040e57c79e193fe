from app.plugins import ActivityPlugin

plugin = ActivityPlugin(name="simple", label="Simple again")  # same name as tests.plugins.simple
