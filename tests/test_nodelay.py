"""TCP_NODELAY on the server's sockets (server.nodelay): set on the listening socket as
Streamlit binds it (protocol 0, which asyncio leaves with Nagle on), on a connection
already open, and inherited by the connections accepted afterwards."""

import socket

from server.nodelay import send_without_delay


def nodelay(sock: socket.socket) -> int:
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


def test_listening_and_open_sockets_send_without_delay():
    with socket.socket(family=socket.AF_INET) as listener:  # as Streamlit 1.67 binds it
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        first = socket.create_connection(listener.getsockname())
        accepted, _ = listener.accept()
        assert nodelay(listener) == nodelay(accepted) == 0  # what the server starts with
        assert send_without_delay() >= 3  # listener, accepted, and our end of it
        assert nodelay(listener) == nodelay(accepted) == 1
        later = socket.create_connection(listener.getsockname())
        accepted_later, _ = listener.accept()
        assert nodelay(accepted_later) == 1
        for sock in (first, accepted, later, accepted_later):
            sock.close()
        listener.getsockname()  # still open: only duplicates were closed
