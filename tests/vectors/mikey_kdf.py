#!/usr/bin/env python3
"""Writes tests/vectors/mikey-kdf.json: the MIKEY key derivation of RFC 3830 4.1.2/4.1.3 with
PRF-HMAC-SHA-256 (RFC 6043 6.1), computed with nothing but Python's hmac and hashlib, for
tests/mikey_kdf.rs to compare the library with.

  label   = constant (4 octets) || cs_id (1) || csb_id (4) || RAND, big-endian
  PRF     = P(s_1, label, m) XOR ... XOR P(s_n, label, m), first out_len octets,
            s_i the 32-octet pieces of the TGK (the last may be shorter), m = ceil(out_len/32)
  P       = HMAC(s, A_1 || label) || ... || HMAC(s, A_m || label), A_0 = label,
            A_i = HMAC(s, A_(i-1))

Run: python3 tests/vectors/mikey_kdf.py > tests/vectors/mikey-kdf.json
The inputs are fixed pseudo-random octets (SHA-256 of a counter), so the file is reproducible.
"""
import hashlib
import hmac
import json
import sys


def octets(tag, n):
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(f"{tag}/{i}".encode()).digest()
        i += 1
    return out[:n]


def p(s, label, m):
    a = label
    out = b""
    for _ in range(m):
        a = hmac.new(s, a, hashlib.sha256).digest()
        out += hmac.new(s, a + label, hashlib.sha256).digest()
    return out


def prf(inkey, label, out_len):
    m = -(-out_len // 32)
    acc = bytes(32 * m)
    for i in range(0, len(inkey), 32):
        piece = p(inkey[i:i + 32], label, m)
        acc = bytes(x ^ y for x, y in zip(acc, piece))
    return acc[:out_len]


def main():
    cases = []
    constants = [0x2AD01C64, 0x15798CEF, 0x1B5C7973, 0x39A2C14B]
    n = 0
    for tgk_len in (16, 32, 33, 64, 100):
        for out_len in (1, 12, 16, 32, 33, 100):
            for rand_len in (1, 16, 32, 255):
                tgk = octets(f"tgk{n}", tgk_len)
                rand = octets(f"rand{n}", rand_len)
                constant = constants[n % 4]
                cs_id = n % 10
                csb_id = int.from_bytes(octets(f"csb{n}", 4), "big")
                label = (constant.to_bytes(4, "big") + bytes([cs_id])
                         + csb_id.to_bytes(4, "big") + rand)
                cases.append({
                    "tgk": tgk.hex(),
                    "constant": constant,
                    "cs_id": cs_id,
                    "csb_id": csb_id,
                    "rand": rand.hex(),
                    "out": prf(tgk, label, out_len).hex(),
                })
                n += 1
    json.dump({"source": "tests/vectors/mikey_kdf.py (Python hmac/hashlib)",
               "cases": cases}, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
