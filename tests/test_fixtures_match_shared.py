import filecmp

import pytest

from tests.conftest import SAMPLES, SHARED_SAMPLES


@pytest.mark.skipif(not SHARED_SAMPLES.is_dir(), reason="shared/ is not beside this clone")
def test_vendored_samples_are_identical_to_shared():
    shared = sorted(p.name for p in SHARED_SAMPLES.iterdir())
    ours = sorted(p.name for p in SAMPLES.iterdir())
    assert ours == shared
    _, mismatch, errors = filecmp.cmpfiles(SHARED_SAMPLES, SAMPLES, shared, shallow=False)
    assert mismatch == [] and errors == []
