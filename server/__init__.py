"""Plumbing of the Streamlit server process, no widgets: its sockets (nodelay) and its
memory (memory). Started once per server from ui/services.py."""
