package dev.microshop.contracts;

import io.vertx.core.json.JsonObject;

/**
 * What one running service instance says about itself: the reply of {@link Addresses#describe} and
 * {@link Addresses#ping}, and the metadata of its service-discovery record.
 *
 * @param service service name, one of {@link Services#ALL}
 * @param instanceId unique per deployed service verticle, stable for the life of the JVM
 * @param nodeId the Vert.x cluster node id of the JVM ("local" when not clustered)
 * @param pid operating-system process id
 * @param version the build version
 * @param managementUrl base URL of the JVM's management endpoint (health, metrics)
 */
public record InstanceInfo(
    String service,
    String instanceId,
    String nodeId,
    long pid,
    String version,
    String managementUrl) {

  public JsonObject toJson() {
    return new JsonObject()
        .put("service", service)
        .put("instanceId", instanceId)
        .put("nodeId", nodeId)
        .put("pid", pid)
        .put("version", version)
        .put("managementUrl", managementUrl);
  }

  public static InstanceInfo fromJson(JsonObject json) {
    return new InstanceInfo(
        json.getString("service"),
        json.getString("instanceId"),
        json.getString("nodeId"),
        json.getLong("pid", -1L),
        json.getString("version"),
        json.getString("managementUrl"));
  }
}
