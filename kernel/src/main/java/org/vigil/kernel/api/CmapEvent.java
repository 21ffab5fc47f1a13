package org.vigil.kernel.api;

/**
 * A change to a tracked cmap key.
 *
 * @param kind     what happened
 * @param key      the key that changed
 * @param newEntry the entry after the change; null for {@link Kind#DELETE}
 * @param oldEntry the entry before the change; null for {@link Kind#ADD}
 */
public record CmapEvent(Kind kind, String key, CmapEntry newEntry, CmapEntry oldEntry) {

    /** Event kinds, with corosync's {@code CMAP_TRACK_*} flag values. */
    public enum Kind {
        DELETE(1), MODIFY(2), ADD(4);

        private final int flag;

        Kind(int flag) {
            this.flag = flag;
        }

        /** corosync's {@code CMAP_TRACK_*} bit for this kind. */
        public int flag() {
            return flag;
        }
    }
}
