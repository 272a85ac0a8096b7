"""Prepares COUNT sign-ups for the bench: fetches that many challenges from the server
over one keep-alive connection, solves each (SHA-256 of "challenge:n" with the
challenge's leading zero bits, as the widget does) and writes one JSON body per line.
Usage: python3 prepare.py HOST PORT COUNT OUT"""
import hashlib
import http.client
import json
import sys


def solve(challenge: str, difficulty: int) -> str:
    n = 0
    while True:
        digest = hashlib.sha256(f"{challenge}:{n}".encode()).digest()
        if difficulty == 0 or int.from_bytes(digest, "big") >> (256 - difficulty) == 0:
            return str(n)
        n += 1


def main() -> None:
    host, port, count, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    conn = http.client.HTTPConnection(host, port)
    with open(out, "w") as f:
        for i in range(count):
            conn.request("GET", "/storefront/challenge?locale=sv-SE")
            answer = json.loads(conn.getresponse().read())
            body = {
                "email": f"shopper{i}@bench.example",
                "sku": f"SKU-{i % 500}",
                "locale": "sv-SE",
                "consentVersion": answer["consent"]["version"],
                "sourcePage": f"https://shop.example/p/SKU-{i % 500}",
                "website": "",
                "proof": {"challenge": answer["challenge"],
                          "nonce": solve(answer["challenge"], answer["difficulty"])},
            }
            f.write(json.dumps(body) + "\n")


if __name__ == "__main__":
    main()
