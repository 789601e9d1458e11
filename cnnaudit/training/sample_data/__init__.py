"""Sample data bundled with cnnaudit (see README.md here)."""
