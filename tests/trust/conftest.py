import logging

import pytest


@pytest.fixture
def security_log(caplog):
    """The records of the ``jianye.security`` logger (which does not propagate to the root)."""
    logger = logging.getLogger("jianye.security")
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="jianye.security")
    try:
        yield caplog
    finally:
        logger.removeHandler(caplog.handler)


def messages(log) -> list[str]:
    return [r.getMessage() for r in log.records if r.name == "jianye.security"]
