// The payload key of the tests and of the recorded histories (test/fixtures/histories/): a
// fixture, not a secret. Workers and clients in tests encrypt with it, as production does with
// BILLWRIGHT_PAYLOAD_KEYS, and the replay test decrypts the recorded histories with it.
import { parsePayloadKeys } from '../../config/index.ts';

export const TEST_PAYLOAD_KEYS_ENV = 'fixture:YmlsbHdyaWdodC10ZXN0LWZpeHR1cmUta2V5LTMyYnk=';

export const TEST_PAYLOAD_KEYS = parsePayloadKeys(TEST_PAYLOAD_KEYS_ENV)!;
