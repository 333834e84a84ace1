package io.molia.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.molia.blob.BlobStore;
import io.molia.blob.BlobTransfers;
import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import org.junit.jupiter.api.Test;

/**
 * A blob get asks every node its lookup returned for a fragment, not only as many as a stripe has fragments: under
 * churn, nodes that joined after the put can sit closer to the placement keys, holding nothing, and push the holders
 * to the end of the k closest. Each node here has a real {@link BlobStore}; only the transfers are direct calls.
 */
class BlobGetAsksEveryNodeTest {
    /** Nodes, each a store; a lookup answers with the k (20) contacts of the current view, closest first. */
    private static final class Stores implements BlobOperations.Network {
        final Map<NodeId, BlobStore> byNode = new HashMap<>();
        final Contact self;
        List<Contact> view = new ArrayList<>();

        Stores(Contact self) {
            this.self = self;
            byNode.put(self.id(), new BlobStore(1L << 30));
        }

        Contact add(Contact c) {
            byNode.put(c.id(), new BlobStore(1L << 30));
            return c;
        }

        @Override
        public Contact self() {
            return self;
        }

        @Override
        public CompletableFuture<List<Contact>> lookup(NodeId key) {
            return CompletableFuture.completedFuture(List.copyOf(view));
        }

        @Override
        public CompletableFuture<Boolean> push(Contact to, byte[] object) {
            return CompletableFuture.completedFuture(byNode.get(to.id()).accept(object, 0) != null);
        }

        @Override
        public CompletableFuture<byte[]> fetch(Contact from, NodeId key) {
            return CompletableFuture.completedFuture(byNode.get(from.id()).get(key));
        }

        @Override
        public CompletableFuture<BlobOperations.Held> probe(Contact to, NodeId key) {
            byte[] object = byNode.get(to.id()).get(key);
            return CompletableFuture.completedFuture(object == null ? null : new BlobOperations.Held(
                    BlobTransfers.heldHash(object, key.toBytes(), 0), io.molia.blob.BulkFrame.NEVER_CHECKED));
        }

        @Override
        public void stripeChecked(NodeId fragmentKey, boolean whole) {
            throw new AssertionError("a get checks no stripe");
        }
    }

    private static Contact contact(int i) {
        byte[] pk = new byte[32];
        new SplittableRandom(i).nextBytes(pk);
        return new Contact(NodeId.ofPublicKey(pk), pk, 0, NodeAddress.ipv4(0x0a000000 + i, 4000));
    }

    @Test
    void aGetFindsFragmentsPastTheFirstFourteenOfItsLookup() throws Exception {
        Stores putter = new Stores(contact(0));
        List<Contact> holders = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            holders.add(putter.add(contact(i)));
        }
        putter.view = holders;
        byte[] blob = new byte[50_000];
        new SplittableRandom(3).nextBytes(blob);
        NodeId key = new BlobOperations(putter).put(blob, (done, total) -> { }).get(10, TimeUnit.SECONDS);

        // A reader whose k closest begin with 6 newcomers holding nothing: the 14 holders are at positions 6 to 19.
        Stores reader = new Stores(contact(100));
        reader.byNode.putAll(putter.byNode);
        reader.byNode.remove(putter.self().id());
        List<Contact> view = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            view.add(reader.add(contact(200 + i)));
        }
        view.addAll(holders.subList(0, 14));
        reader.view = view;
        assertArrayEquals(blob, new BlobOperations(reader).get(key, (done, total) -> { }).get(10, TimeUnit.SECONDS));
    }
}
