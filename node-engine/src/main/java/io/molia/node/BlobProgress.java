package io.molia.node;

/** How far a blob put or get is ({@link MoliaNode#putBlob}, {@link MoliaNode#getBlob}): fragments done, of the total. */
@FunctionalInterface
public interface BlobProgress {
    /** Called from a pool thread as each fragment is placed or fetched; {@code total} does not change. */
    void fragments(int done, int total);
}
