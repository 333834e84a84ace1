package io.molia.core;

import java.util.SplittableRandom;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;

/** Seeded contacts for tests: random keys (IDs derived as in production) and addresses. */
public final class TestContacts {
    private TestContacts() {
    }

    public static Contact random(SplittableRandom random) {
        return random(random, random.nextInt());
    }

    public static Contact random(SplittableRandom random, int ipv4) {
        byte[] key = new byte[Contact.PUBLIC_KEY_BYTES];
        random.nextBytes(key);
        return new Contact(NodeId.ofPublicKey(key), key, 0, NodeAddress.ipv4(ipv4, 4000));
    }

    public static NodeId randomId(SplittableRandom random) {
        return new NodeId(random.nextLong(), random.nextLong(), random.nextLong(), random.nextLong());
    }
}
