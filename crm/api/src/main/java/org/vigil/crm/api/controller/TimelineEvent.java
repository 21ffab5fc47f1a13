package org.vigil.crm.api.controller;

/**
 * One step on a node's timeline.
 *
 * @param epochMillis when, milliseconds since the epoch
 * @param kind        {@code membership}, {@code quorum}, {@code dc}, {@code join}, {@code transition},
 *                    {@code action}, {@code fence}, ...
 * @param text        what happened
 */
public record TimelineEvent(long epochMillis, String kind, String text) {
}
