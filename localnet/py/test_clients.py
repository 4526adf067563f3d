"""solana-py against a running `ioc localnet` that cli/tests set up with
`ioc migrate` and an IO-for-IOSD burn. LOCALNET_RPC_URL, IOC_BURN_SIGNATURE,
IOC_WALLET and IOC_IO_MINT name what the setup made."""

import os
import time
import unittest

from solana.rpc.api import Client
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.signature import Signature


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} must be set (cli/tests/localnet.rs sets it)")
    return value


CLIENT = Client(env("LOCALNET_RPC_URL"), commitment="confirmed")
BURN = Signature.from_string(env("IOC_BURN_SIGNATURE"))
WALLET = Pubkey.from_string(env("IOC_WALLET"))
IO_MINT = Pubkey.from_string(env("IOC_IO_MINT"))


class SolanaPyAgainstLocalnet(unittest.TestCase):
    def test_version_and_genesis(self):
        version = CLIENT.get_version().value
        self.assertEqual(version.solana_core, "3.1.12")
        self.assertIsInstance(version.feature_set, int)
        # A 32-byte hash: solders parses it back to the same bytes (its
        # base58 text is 43 or 44 characters, depending on its value).
        genesis = CLIENT.get_genesis_hash().value
        self.assertEqual(len(bytes(genesis)), 32)
        self.assertEqual(type(genesis).from_string(str(genesis)), genesis)

    def test_transaction_of_the_program(self):
        tx = CLIENT.get_transaction(BURN, max_supported_transaction_version=0).value
        # Reported because the request named a highest supported version.
        self.assertEqual(str(tx.transaction.version), "Legacy.Legacy")
        meta = tx.transaction.meta
        self.assertIsNone(meta.err)
        self.assertGreaterEqual(meta.fee, 5000)
        self.assertTrue(any(line.startswith("Program data: ") for line in meta.log_messages))
        self.assertEqual(str(tx.transaction.transaction.message.account_keys[0]), str(WALLET))
        # Its block: the block time matches, and the block holds it.
        block_time = None
        for _ in range(25):
            try:
                block_time = CLIENT.get_block_time(tx.slot).value
                break
            except Exception:  # the slot is still being built
                time.sleep(0.2)
        self.assertEqual(block_time, tx.block_time)
        block = CLIENT.get_block(tx.slot, max_supported_transaction_version=0).value
        self.assertIn(str(BURN), [str(t.transaction.signatures[0]) for t in block.transactions])

    def test_token_reads(self):
        largest = CLIENT.get_token_largest_accounts(IO_MINT).value
        self.assertTrue(1 <= len(largest) <= 20)
        amounts = [int(a.amount.amount) for a in largest]
        self.assertEqual(amounts, sorted(amounts, reverse=True))
        supply = CLIENT.get_token_supply(IO_MINT).value
        self.assertEqual(supply.decimals, 9)

    def test_airdrop_and_balance(self):
        wallet = Keypair().pubkey()
        signature = CLIENT.request_airdrop(wallet, 2_000_000_000).value
        CLIENT.confirm_transaction(signature, commitment="confirmed")
        self.assertEqual(CLIENT.get_balance(wallet).value, 2_000_000_000)


if __name__ == "__main__":
    unittest.main()
