package io.molia.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import io.molia.contact.NodeAddress;
import io.molia.crypto.Ed25519Identity;
import io.molia.record.SignedNodeRecord;
import org.junit.jupiter.api.Test;

/** A provider lookup's findings: one holder's word counts once, and the most named providers come first. */
class FoundProvidersTest {
    private final SplittableRandom random = new SplittableRandom(5);

    private SignedNodeRecord provider(long seq) {
        return SignedNodeRecord.sign(Ed25519Identity.generate(random), List.of(NodeAddress.ipv4(0x0a000001, 4000)),
                seq, 0);
    }

    @Test
    void twentyProvidersOneLiarMadeUpDoNotEndALookupNorCrowdOutThoseTheHoldersNamed() {
        List<SignedNodeRecord> madeUp = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            madeUp.add(provider(1));
        }
        SignedNodeRecord honestA = provider(1);
        SignedNodeRecord honestB = provider(1);
        FoundProviders found = new FoundProviders();

        List<SignedNodeRecord> liarsAnswer = new ArrayList<>(madeUp);
        liarsAnswer.addAll(madeUp); // each named twice: still one holder's word
        found.addAnswer(liarsAnswer); // the liar answered first
        assertEquals(0, found.corroborated(), "no provider two holders named");
        found.addAnswer(List.of(honestA, honestB));
        found.addAnswer(List.of(honestB, honestA, honestA));
        assertEquals(2, found.corroborated());

        List<SignedNodeRecord> best = found.best(20);
        assertEquals(List.of(honestA, honestB), best.subList(0, 2), "the named ones first, in the order found");
        assertEquals(madeUp.subList(0, 18), best.subList(2, 20), "then the rest as room allows");
    }

    @Test
    void aHigherSeqOfAProviderReplacesItsRecordAndCountsAsTheSameProvider() {
        Ed25519Identity id = Ed25519Identity.generate(random);
        List<NodeAddress> at = List.of(NodeAddress.ipv4(0x0a000002, 4000));
        SignedNodeRecord old = SignedNodeRecord.sign(id, at, 1, 0);
        SignedNodeRecord newer = SignedNodeRecord.sign(id, at, 2, 0);
        FoundProviders found = new FoundProviders();

        found.addAnswer(List.of(newer));
        found.addAnswer(List.of(old));
        assertEquals(1, found.corroborated());
        assertEquals(List.of(newer), found.best(5));
    }
}
