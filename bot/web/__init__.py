"""HTTP plumbing shared by every channel: the URL table and middlewares."""
