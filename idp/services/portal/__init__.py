"""The portal people land on: announcements (公告事項) with their audience and window, the
maintenance banner, and 下載專區's files with their versions."""
