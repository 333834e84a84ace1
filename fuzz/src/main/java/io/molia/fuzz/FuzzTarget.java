package io.molia.fuzz;

import java.util.List;

/**
 * The fuzz targets: one {@code @FuzzTest} method each, under {@code fuzz/src/test/java}. {@code molia fuzz} runs
 * them by name; {@code FuzzTargetTest} fails when a {@code @FuzzTest} is missing here or an entry has no test.
 */
public enum FuzzTarget {
    WIRE_ENVELOPE("wire-envelope", "WireEnvelopeFuzzTest", "acceptedEnvelopesRoundTrip",
            "protobuf-java over arbitrary bytes: only its documented error, accepted input round-trips",
            "Envelope.java"),
    WIRE_FLYWEIGHT("wire-flyweight", "FlyweightDifferentialFuzzTest", "sameDecisionAndFieldsAsProtobufJava",
            "the in-place codec against protobuf-java: same decision, same fields, no read past the datagram",
            "MessageCodec.java", "ProtoReader.java"),
    RECORD_WRITE("record-write", "RecordWriteFuzzTest", "writesGetTheStoresNamedVerdict",
            "provider and mutable record writes from any bytes: answered with the store's named verdict, stored only "
            + "when signed and well formed (a forwarded provider entry only with its valid, unexpired announcement), "
            + "a refusal counted and storing nothing",
            "RecordBodies.java", "RecordRequests.java", "MutableStore.java", "ProviderStore.java", "MutableRecord.java",
            "SignedNodeRecord.java", "ProvideAnnouncement.java"),
    HANDSHAKE_GARBAGE("handshake-garbage", "HandshakeResponderFuzzTest", "strangersGetNothing",
            "the session layer fed arbitrary bytes: no reply without a valid mac1, no session, nothing delivered",
            "SessionManager.java", "WireGuardHandshake.java", "CookieJar.java"),
    HANDSHAKE_EDITED("handshake-edited", "HandshakeResponderFuzzTest", "editedInitiationsNeverOpenASession",
            "a real Molia initiation with fields edited: no reply without a valid mac1, no session unless intact",
            "SessionManager.java", "WireGuardHandshake.java", "NoiseHandshake.java"),
    PUZZLE_SOLVED_EDITED("puzzle-solved-edited", "PuzzleFuzzTest", "editedSolvedInitiationsAdmitOnlyIntact",
            "a real solved initiation (type 0x51) with fields edited: admitted only with its token and initiation intact",
            "AdmissionPuzzle.java", "Responder.java", "Blake2sStream.java"),
    PUZZLE_REPLY_FORGED("puzzle-reply-forged", "PuzzleFuzzTest", "forgedPuzzleRepliesAreIgnored",
            "puzzle replies (type 0x50) from any bytes: an initiator never solves or re-sends for one it cannot "
            + "authenticate", "AdmissionPuzzle.java", "Initiator.java"),
    WAL_ENTRY("wal-entry", "WalEntryFuzzTest", "decodeOneEntry",
            "one WAL entry from any bytes (and re-sealed): a problem line or an entry that re-encodes to its bytes",
            "WalFormat.java", "WalState.java", "WalEntries.java"),
    WAL_ENTRY_EDITED("wal-entry-edited", "WalEntryFuzzTest", "editedEntriesAreDetected",
            "a real entry of each type with up to eight edits: never accepted under the original CRC32C",
            "WalFormat.java", "WalState.java", "WalEntries.java"),
    ADMIN_FRAME("admin-frame", "AdminFrameFuzzTest", "anyFrameGetsAnAnswerOrAClose",
            "admin socket frames from any stream: a request or an error answer, oversized refused before its body",
            "AdminProtocol.java", "AdminRequest.java"),
    WAL_QUEUE("wal-queue", "WalQueueFuzzTest", "corruptedQueueIsReportedNeverSkipped",
            "a real WAL queue file corrupted: the scan ends, hands out only written entries, reports every change",
            "WalScanner.java", "WalFormat.java"),
    NAT_PROBE("nat-probe", "NatFuzzTest", "strangersGetNoAnswerAndMoveNothing",
            "a shard fed arbitrary datagrams (probe-shaped or not): no answer, no probe, the NAT state unmoved",
            "NatProbe.java", "NatTraversal.java", "Shard.java"),
    NAT_DIAL_BACK("nat-dial-back", "NatFuzzTest", "aPeersInnerMessageProbesOnlyThePeer",
            "a peer's inner message with any fields (DIAL_BACK above all): one answer at most, probes only to the peer",
            "NodeCore.java", "MessageCodec.java", "ProbeBudget.java"),
    BLOB_MANIFEST("blob-manifest", "BlobCodecFuzzTest", "manifestsRoundTripOrAreRefusedInOneLine",
            "blob manifests from any bytes: refused in one line, or re-encoded to exactly the input",
            "BlobManifest.java"),
    BLOB_FRAGMENT("blob-fragment", "BlobCodecFuzzTest", "fragmentsRoundTripOnlyWithTheirHash",
            "blob fragments from any bytes: accepted only when the data hashes to the hash carried; canonical",
            "FragmentObject.java"),
    BULK_FRAME("bulk-frame", "BulkFrameFuzzTest", "hostileFramesNeverBreakATransfer",
            "bulk transfer frames from any bytes into a node pushing, fetching and holding: well-formed answers only, "
            + "nothing held without its check, transfers bounded",
            "BulkFrame.java", "BulkSender.java", "BulkReceiver.java", "BlobTransfers.java", "BlobStore.java"),
    RELAY_FRAME("relay-frame", "RelayFuzzTest", "framesFromAnywhereReachOnlyTheCircuitsEnds",
            "a relay fed arbitrary datagrams from a circuit's ends or a stranger: frames go on unchanged to the other"
                    + " end only, nothing else leaves",
            "RelayFrame.java", "Relay.java", "RelayBudget.java", "Shard.java"),
    RELAY_MESSAGES("relay-messages", "RelayFuzzTest", "relayMessagesFromAPeer",
            "a relay's core fed arbitrary inner messages (RELAY_* with any fields): one answer to the asker, at most"
                    + " one announcement, to the reserved client",
            "NodeCore.java", "MessageCodec.java", "Relay.java"),
    RELAY_CLOSE("relay-close", "RelayFuzzTest", "circuitClosesOnlyByAnEnd",
            "RELAY_CLOSE with any circuit and fields from a circuit's ends or another peer: one answer to the sender,"
                    + " the circuit freed only by an end, and only then the other end told",
            "NodeCore.java", "MessageCodec.java", "Relay.java"),
    RELAYED_CONTACTS("relayed-contacts", "RelayFuzzTest", "relayedContactsDecodeWholeAndRoundTrip",
            "contacts naming a relay (Contact fields 4-5) in any NODES bytes: each names a whole relay that is itself"
                    + " reached directly, and encodes back to what was decoded",
            "MessageCodec.java", "Contact.java");

    private final String id;
    private final String testClass;
    private final String method;
    private final String checks;
    private final List<String> sourcesUnderTest;

    FuzzTarget(String id, String testClass, String method, String checks, String... sourcesUnderTest) {
        this.id = id;
        this.testClass = testClass;
        this.method = method;
        this.checks = checks;
        this.sourcesUnderTest = List.of(sourcesUnderTest);
    }

    /** The name {@code molia fuzz} takes. */
    public String id() {
        return id;
    }

    public String testClassName() {
        return FuzzTarget.class.getPackageName() + "." + testClass;
    }

    public String simpleTestClassName() {
        return testClass;
    }

    public String method() {
        return method;
    }

    /** What the target asserts, in one line. */
    public String checks() {
        return checks;
    }

    /** The source files whose branch coverage a run reports: the code this target exists to exercise. */
    public List<String> sourcesUnderTest() {
        return sourcesUnderTest;
    }

    /** Where Jazzer keeps this target's committed inputs (seeds and regression findings), from the repository root. */
    public String inputsDir() {
        return "fuzz/src/test/resources/" + FuzzTarget.class.getPackageName().replace('.', '/') + "/" + testClass
                + "Inputs/" + method;
    }

    public static FuzzTarget byId(String id) {
        for (FuzzTarget t : values()) {
            if (t.id.equals(id)) {
                return t;
            }
        }
        throw new IllegalArgumentException("no fuzz target '" + id + "' (molia fuzz --list names them)");
    }
}
