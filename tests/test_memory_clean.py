"""server.memory: memory freed in the holes of the heap, or held by unreachable cycles, goes
back to the system on a clean (without one it stays: 206 MB here before and after a
second's wait)."""

from server.memory import clean_now, keep_cleaning


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024


class Session:
    """Stands for a Streamlit session: it refers to itself, as they do."""

    def __init__(self):
        self.me = self
        self.state = [bytearray(2000) for _ in range(50)]


def test_a_clean_hands_back_what_a_crowd_left():
    blocks = [bytearray(2000) for _ in range(100_000)]  # 200 MB in small blocks
    kept = blocks[::50]  # still in use, spread through the heap: holes, no free top to cut
    del blocks
    sessions = [Session() for _ in range(1000)]  # 100 MB more, in cycles
    del sessions
    before = rss_mb()
    assert clean_now()
    assert rss_mb() < before - 150, (before, rss_mb())
    assert len(kept) == 2000


def test_the_cleaning_thread_is_a_daemon():
    thread = keep_cleaning(every_s=3600)
    assert thread.daemon and thread.is_alive()
