package io.molia.admin;

import java.util.HashMap;
import java.util.Map;

import com.google.protobuf.ByteString;
import io.molia.contact.Contact;

/**
 * The text forms of contacts in views (hex node ID, address), as UTF-8 kept from one update of a subscription to
 * the next: a view of a hundred sessions refreshed every 100 ms would otherwise format and encode the same
 * strings ten times a second, and encoding them was half the cost of an update. Holds the contacts of the
 * current and the previous update only. Used by one thread at a time: the admin's stream thread.
 */
final class ContactLabels {
    private record Labels(ByteString id, ByteString address) {
    }

    private Map<Contact, Labels> current = new HashMap<>();
    private Map<Contact, Labels> previous = Map.of();

    /** Starts an update: what the update before the previous one used and this one did not is let go. */
    void nextUpdate() {
        previous = current;
        current = new HashMap<>();
    }

    ByteString id(Contact c) {
        return labels(c).id();
    }

    ByteString address(Contact c) {
        return labels(c).address();
    }

    private Labels labels(Contact c) {
        Labels l = current.get(c);
        if (l == null) {
            l = previous.get(c);
            if (l == null) {
                l = new Labels(ByteString.copyFromUtf8(c.id().toHex()), ByteString.copyFromUtf8(c.address().toString()));
            }
            current.put(c, l);
        }
        return l;
    }
}
