"""The web platform: casework, the report workspace, the supervisor console and the public portal,
as server-rendered pages in Chinese over the same library the command line uses."""
