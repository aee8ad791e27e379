package dev.microshop.contracts;

/**
 * Event-bus addresses, named {@code <service>.<noun>.<verb>}. Every service JVM registers exactly
 * one consumer per address: Vert.x 5.0.8 starves nodes that register fewer consumers than their
 * peers.
 */
public final class Addresses {

  /**
   * Point-to-point "who are you" of a service, answered by any one of its instances (round-robin
   * across JVMs). Payload: {@link Describe}. Reply: {@link InstanceInfo}. Failures: none beyond
   * transport (TIMEOUT, NO_HANDLERS when no instance runs).
   */
  public static String describe(String service) {
    return service + ".instance.describe";
  }

  /**
   * Ping of one particular instance: exactly one consumer in the whole cluster listens here, so the
   * gateway can check each discovered instance separately. Payload: {@link Describe}. Reply: {@link
   * InstanceInfo}.
   */
  public static String ping(String instanceId) {
    return "platform.instance." + instanceId + ".ping";
  }

  /** Every {@link #ping} address, as a regular expression. */
  public static final String PING_PATTERN = "platform\\.instance\\.[^.]+\\.ping";

  /**
   * The one name metrics give all {@link #ping} addresses: a series per instance ever started would
   * pile up.
   */
  public static final String PING_METRIC_NAME = "platform.instance.{instanceId}.ping";

  /**
   * Where one JVM answers the others' "are you alive" (platform's NodeWatch), by its Vert.x node
   * id. Empty payload, empty reply.
   */
  public static String alive(String nodeId) {
    return ALIVE_PREFIX + nodeId + ".alive";
  }

  /** What every {@link #alive} address starts with. */
  public static final String ALIVE_PREFIX = "platform.node.";

  /** Every {@link #alive} address, as a regular expression. */
  public static final String ALIVE_PATTERN = "platform\\.node\\.[^.]+\\.alive";

  /** The one name metrics give all {@link #alive} addresses. */
  public static final String ALIVE_METRIC_NAME = "platform.node.{nodeId}.alive";

  private Addresses() {}
}
