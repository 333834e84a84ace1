package io.molia.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import io.molia.contact.NodeId;
import io.molia.crypto.Blake3;
import io.molia.crypto.Ed25519Identity;
import io.molia.record.MutableRecord;

/**
 * The records the measured gets of an attacked run read ({@link SybilAttack}): even-numbered ones immutable (key =
 * BLAKE3(value)), odd-numbered ones mutable (signed by an owner of their own). Stored on the k closest honest nodes
 * before the measured window, as after a put made before the attack. A get is correct only if it returns exactly what
 * was stored: the simulator compares bytes, it does not trust the core's own checks.
 */
final class GetTargets {
    private static final int VALUE_BYTES = 64;

    /** One record: {@code value} for an immutable one, {@code mutable} for a mutable one (the other null). */
    record Target(NodeId key, byte[] value, MutableRecord mutable) {
        boolean correct(byte[] found) {
            return value != null && found != null && Arrays.equals(value, found);
        }

        boolean correct(MutableRecord found) {
            return mutable != null && found != null && found.seq() == mutable.seq() && found.sameValue(mutable)
                    && Arrays.equals(found.signature(), mutable.signature());
        }
    }

    private final List<Target> targets = new ArrayList<>();
    private final Map<NodeId, MutableRecord> mutables = new HashMap<>();

    GetTargets(int count, SplittableRandom random) {
        Blake3 blake3 = new Blake3();
        for (int i = 0; i < count; i++) {
            byte[] value = new byte[VALUE_BYTES];
            random.nextBytes(value);
            if (i % 2 == 0) {
                targets.add(new Target(NodeId.fromBytes(blake3.hash(value)), value, null));
            } else {
                byte[] salt = new byte[8];
                random.nextBytes(salt);
                MutableRecord r = MutableRecord.sign(Ed25519Identity.generate(random), salt, 1, value);
                targets.add(new Target(r.key(), null, r));
                mutables.put(r.key(), r);
            }
        }
    }

    int size() {
        return targets.size();
    }

    Target get(int i) {
        return targets.get(i % targets.size());
    }

    List<Target> all() {
        return targets;
    }

    /** The mutable records by key: public once stored, so the attackers know them too. */
    Map<NodeId, MutableRecord> mutables() {
        return mutables;
    }
}
