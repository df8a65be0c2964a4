"""Writes the small numpy-made files the tensor-io tests read, and expected.json with the values
numpy itself reports for them. Run from this folder: python3 make_fixtures.py
(The repository formatter re-indents expected.json afterwards; only whitespace changes.)
"""
import io
import json
import math
import zipfile

import numpy as np
from numpy.lib import format as npformat

expected = {"numpy_version": np.__version__, "files": {}}


def plain(values):
    """JSON-safe nested lists: NaN/Inf as strings, int64 beyond 2**53 as strings."""
    if isinstance(values, list):
        return [plain(v) for v in values]
    if isinstance(values, float) and not math.isfinite(values):
        return "nan" if math.isnan(values) else ("inf" if values > 0 else "-inf")
    if isinstance(values, int) and not isinstance(values, bool) and abs(values) > 2**53:
        return str(values)
    return values


def stats(a):
    """min/max/mean over the finite values and the NaN/Inf count, as `emms inspect` reports."""
    flat = np.asarray(a, dtype=np.float64).ravel()
    finite = flat[np.isfinite(flat)]
    if finite.size == 0:
        return {"min": None, "max": None, "mean": None, "nonFinite": int(flat.size)}
    return {
        "min": float(finite.min()),
        "max": float(finite.max()),
        "mean": float(finite.mean()),
        "nonFinite": int(flat.size - finite.size),
    }


def record(name, a, version, fortran):
    c = np.ascontiguousarray(a)
    expected["files"][name] = {
        "descr": npformat.dtype_to_descr(a.dtype),
        "dtype": a.dtype.name,
        "shape": list(a.shape),
        "fortran_order": fortran,
        "version": version,
        # C-order (row-major) flattening, which is what a reader must return
        "values": plain(c.ravel(order="C").tolist()),
        **stats(c),
    }


def save(name, a, version=None):
    a = np.asanyarray(a)
    with open(name, "wb") as f:
        if version is None:
            np.save(f, a)
        else:
            npformat.write_array(f, a, version=version)
    fortran = bool(a.flags.f_contiguous and not a.flags.c_contiguous)
    record(name, a, list(version or (1, 0)), fortran)


save("f4_le.npy", np.array([[1.5, -2.25, 0.1], [3e-8, 65504.0, -0.0]], dtype="<f4"))
save("f8_be.npy", np.array([[1.0, -2.5], [math.pi, 1e300], [-1e-300, 42.0]], dtype=">f8"))
save("f4_fortran.npy", np.asfortranarray(np.arange(12, dtype="<f4").reshape(3, 4) * 0.5 - 1))
save("f8_fortran_3d.npy", np.asfortranarray(np.arange(24, dtype="<f8").reshape(2, 3, 4) ** 2 / 7))
save("i8.npy", np.array([0, -5, 2**40, -(2**62) + 3, 2**63 - 1], dtype="<i8"))
save("bool.npy", np.array([[True, False, True], [False, False, True]]))
save("u2.npy", np.array([0, 1, 65535, 300], dtype="<u2"))
save("i2_be_3d.npy", (np.arange(12, dtype=">i2").reshape(2, 2, 3) - 6) * 1000)
save("u4_be.npy", np.array([4000000000, 7, 0], dtype=">u4"))
save("i1_u1_4d.npy", np.arange(-8, 8, dtype="i1").reshape(2, 2, 2, 2))
save("v2_i4.npy", np.array([[7, -7], [2**31 - 1, -(2**31)]], dtype="<i4"), version=(2, 0))
save("v3_f4.npy", np.array([0.5, 0.25, -8.0], dtype="<f4"), version=(3, 0))
save("scalar_f8.npy", np.array(2.718281828459045, dtype="<f8"))
save("f2.npy", np.array([1.0, -0.5, 65504.0, 5.960464477539063e-08, np.inf], dtype="<f2"))
save("nan_inf.npy", np.array([[1.0, np.nan], [np.inf, -3.0]], dtype="<f4"))
save("labels_i8.npy", np.array([0, 1, 2, 1, 0, 2], dtype="<i8"))
save("empty_0x3.npy", np.zeros((0, 3), dtype="<f4"))

# archives: numpy.savez (stored) and numpy.savez_compressed (deflated)
a = np.arange(6, dtype="<f4").reshape(2, 3) / 4
b = np.array([3, 1, 2], dtype="<i8")
np.savez("stored.npz", features=a, labels=b)
np.savez_compressed("compressed.npz", features=a, labels=b)
for name in ("stored.npz", "compressed.npz"):
    expected["files"][name] = {
        "arrays": {
            "features": {"dtype": "float32", "shape": [2, 3], "values": a.ravel().tolist()},
            "labels": {"dtype": "int64", "shape": [3], "values": b.tolist()},
        }
    }

# files that must be refused
with open("object.npy", "wb") as f:
    np.save(f, np.array([1, "a", None], dtype=object), allow_pickle=True)
with open("complex.npy", "wb") as f:
    np.save(f, np.array([1 + 2j], dtype="<c16"))
with open("u8.npy", "wb") as f:
    np.save(f, np.array([1], dtype="<u8"))
with open("structured.npy", "wb") as f:
    np.save(f, np.zeros(2, dtype=[("x", "<f4"), ("y", "<i4")]))
np.savez("object.npz", ok=a, bad=np.array([{"k": 1}], dtype=object))
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as z:
    npy = io.BytesIO()
    np.save(npy, a)
    # a fixed timestamp keeps the archive byte-identical between runs
    z.writestr(zipfile.ZipInfo("features.npy", date_time=(2020, 1, 1, 0, 0, 0)), npy.getvalue())
    z.writestr(zipfile.ZipInfo("README.txt", date_time=(2020, 1, 1, 0, 0, 0)), "not an array")
with open("not_npy.npz", "wb") as f:
    f.write(buf.getvalue())

# archives whose CRC-32 disagrees with their data: numpy.load refuses both (zipfile.BadZipFile)
def bad_crc(src, dst, flip_data):
    raw = bytearray(open(src, "rb").read())
    info = zipfile.ZipFile(io.BytesIO(bytes(raw))).getinfo("features.npy")
    if flip_data:
        # the last byte of the stored entry's data: a float32 of features changes, sizes do not
        local_name_len = int.from_bytes(raw[info.header_offset + 26 : info.header_offset + 28], "little")
        local_extra_len = int.from_bytes(raw[info.header_offset + 28 : info.header_offset + 30], "little")
        end = info.header_offset + 30 + local_name_len + local_extra_len + info.compress_size
        raw[end - 1] ^= 0x01
    else:
        # the recorded checksum, in the local header and in the central directory
        old = info.CRC.to_bytes(4, "little")
        new = (info.CRC ^ 0x00010000).to_bytes(4, "little")
        assert raw.count(old) == 2
        raw = bytearray(bytes(raw).replace(old, new))
    open(dst, "wb").write(bytes(raw))
    try:
        np.load(dst)["features"]
    except zipfile.BadZipFile:
        return
    raise AssertionError(f"numpy accepted {dst}")


bad_crc("stored.npz", "bad_crc_stored.npz", True)
bad_crc("compressed.npz", "bad_crc_deflated.npz", False)

# zip64 records in a small archive (numpy writes them past 2 GiB): with zipfile's limit lowered,
# every directory entry carries its sizes and offset in a zip64 extra field, and the archive ends
# with a zip64 end-of-directory record; numpy.load must still read it
_limit = zipfile.ZIP64_LIMIT
zipfile.ZIP64_LIMIT = 16
try:
    with zipfile.ZipFile("zip64.npz", "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for key, arr in [("features", np.arange(12, dtype=np.float32).reshape(3, 4)), ("labels", np.array([2, 0, 1]))]:
            buf = io.BytesIO()
            np.save(buf, arr)
            with zf.open(key + ".npy", "w", force_zip64=True) as f:
                f.write(buf.getvalue())
finally:
    zipfile.ZIP64_LIMIT = _limit
_raw = open("zip64.npz", "rb").read()
assert b"PK\x06\x06" in _raw and b"PK\x06\x07" in _raw, "expected zip64 end records"
_z = np.load("zip64.npz")
expected["files"]["zip64.npz"] = {"arrays": {k: {"dtype": str(_z[k].dtype), "shape": list(_z[k].shape), "values": _z[k].ravel().tolist()} for k in _z.files}}

# labels as np.savetxt writes them ('%.18e': 0.000000000000000000e+00), whole and not whole
savetxt_labels = np.array([0, 2, 1, 3, 2, 0])
np.savetxt("labels_savetxt.txt", savetxt_labels)
np.savetxt("labels_savetxt.csv", savetxt_labels.reshape(-1, 1), delimiter=",", header="label", comments="")
np.savetxt("labels_savetxt_half.txt", savetxt_labels / 2)
expected["files"]["labels_savetxt.txt"] = {"values": np.loadtxt("labels_savetxt.txt").astype(np.int64).tolist()}

with open("expected.json", "w") as f:
    json.dump(expected, f, indent=1)
    f.write("\n")
