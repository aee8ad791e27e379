package dev.microshop.gateway;

import dev.microshop.contracts.Addresses;
import dev.microshop.contracts.InstanceInfo;
import dev.microshop.contracts.Services;
import dev.microshop.contracts.UsersApi;
import dev.microshop.platform.config.Settings;
import dev.microshop.platform.messaging.Consumers;
import dev.microshop.platform.messaging.FieldError;
import dev.microshop.platform.messaging.InvalidRequest;
import dev.microshop.platform.service.Node;
import dev.microshop.platform.service.Platform;
import dev.microshop.testkit.ServiceHarness;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The real {@link GatewayVerticle}, with the repo's config, on a non-clustered node, in front of
 * stub services: every service address the gateway calls has a consumer here that records what it
 * received and answers as the test says. Services are made visible through the platform's own
 * discovery, as a service verticle publishes itself; tokens are signed with a key the stub of
 * {@link UsersApi#KEYS} hands out, as users does.
 */
final class GatewayHarness implements AutoCloseable {
  private static final long WAIT_SECONDS = 20;

  /** The address requests come from unless a test says otherwise. */
  static final String CLIENT = "127.0.0.1";

  private final Node node;
  private final Map<String, WebClient> clients = new ConcurrentHashMap<>();
  private final int port;
  private final TestTokens tokens = new TestTokens();
  private final Map<String, Function<Message<JsonObject>, ? extends Future<?>>> answers =
      new ConcurrentHashMap<>();
  private final Map<String, BlockingQueue<Message<JsonObject>>> received =
      new ConcurrentHashMap<>();
  private final Map<String, String> pingAddresses = new ConcurrentHashMap<>();
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private final GatewayVerticle verticle;

  /** An answer that never comes: the gateway's request times out. */
  static final Function<Message<JsonObject>, Future<JsonObject>> SILENT =
      msg -> Promise.<JsonObject>promise().future();

  private GatewayHarness(Node node, GatewayVerticle verticle) {
    this.node = node;
    this.verticle = verticle;
    this.port = URI.create(node.platform().endpoints().get(Services.GATEWAY)).getPort();
  }

  /**
   * The client whose connections come from {@code localAddress} (any of 127.0.0.0/8 on Linux): the
   * gateway takes the TCP peer as the client's address. Enough connections for concurrency tests.
   */
  private WebClient client(String localAddress) {
    return clients.computeIfAbsent(
        localAddress,
        a -> {
          WebClientOptions options = new WebClientOptions().setFollowRedirects(false);
          options.setLocalAddress(a);
          return WebClient.create(node.vertx(), options, new PoolOptions().setHttp1MaxSize(64));
        });
  }

  /**
   * Starts the gateway with the repo's config and {@code env} on top (port 0, one server), with
   * stubs for {@code addresses} and discovery records for {@code published}.
   */
  static GatewayHarness start(
      Map<String, String> env, List<String> addresses, List<String> published) throws Exception {
    Map<String, String> all = new HashMap<>(env);
    all.put(Settings.CONFIG_DIR_ENV, ServiceHarness.repoRoot().resolve("config").toString());
    all.put("MICROSHOP_GATEWAY_HTTP_PORT", "0");
    // The configured management port is fixed; tests run several gateways side by side.
    all.put("MICROSHOP_GATEWAY_MANAGEMENT_PORT", "0");
    all.put("MICROSHOP_GATEWAY_HTTP_INSTANCES", "1");
    JsonObject config = Settings.load(Services.GATEWAY, all);
    AtomicReference<GatewayVerticle> started = new AtomicReference<>();
    Node node =
        Node.start(
            Services.GATEWAY,
            config,
            false,
            List.of(Services.GATEWAY),
            Map.of(Services.GATEWAY, config),
            Map.of(
                Services.GATEWAY,
                platform -> {
                  GatewayVerticle gateway = new GatewayVerticle(platform);
                  started.set(gateway);
                  return gateway;
                }));
    GatewayHarness harness = new GatewayHarness(node, started.get());
    try {
      harness.stub(UsersApi.KEYS);
      for (String address : addresses) {
        harness.stub(address);
      }
      for (String service : published) {
        harness.publish(service);
      }
    } catch (Exception e) {
      harness.close();
      throw e;
    }
    return harness;
  }

  Vertx vertx() {
    return node.vertx();
  }

  Platform platform() {
    return node.platform();
  }

  /** How many tokens the gateway's verifier has been asked to verify so far. */
  long verifications() {
    return verticle.tokens().verifications();
  }

  int port() {
    return port;
  }

  /** The ping address of the stub instance of {@code service}. */
  String pingAddress(String service) {
    return pingAddresses.get(service);
  }

  /** Forgets what the stubs received and what they were told to answer. */
  void reset() {
    answers.clear();
    received.values().forEach(BlockingQueue::clear);
  }

  /** From now on {@code address} answers with what {@code answer} yields (a failure: fail). */
  /**
   * From now on {@code address} answers what {@code answer} yields: a JSON object, or a {@link
   * Consumers.Reply} (a body with headers, as inventory answers a page).
   */
  void answer(String address, Function<Message<JsonObject>, ? extends Future<?>> answer) {
    answers.put(address, answer);
  }

  void answer(String address, JsonObject reply) {
    answer(address, msg -> Future.succeededFuture(reply));
  }

  /** From now on {@code address} fails every message with {@code code} and {@code text}. */
  void fail(String address, int code, String text) {
    answer(
        address,
        msg -> Future.failedFuture(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, code, text)));
  }

  /** From now on {@code address} refuses every message as invalid, naming {@code errors}. */
  void invalid(String address, FieldError... errors) {
    answer(address, msg -> Future.failedFuture(new InvalidRequest(List.of(errors))));
  }

  /** The next message {@code address} received (waits for it). */
  Message<JsonObject> received(String address) throws InterruptedException {
    Message<JsonObject> msg = queue(address).poll(WAIT_SECONDS, TimeUnit.SECONDS);
    if (msg == null) {
      throw new AssertionError(address + " received nothing");
    }
    return msg;
  }

  /** How many messages {@code address} received that no test has taken yet. */
  int pending(String address) {
    return queue(address).size();
  }

  /** Registers a recording stub on {@code address}; it answers {} until told otherwise. */
  void stub(String address) throws Exception {
    MessageConsumer<JsonObject> consumer =
        vertx()
            .eventBus()
            .consumer(
                address,
                msg -> {
                  queue(address).add(msg);
                  answers
                      .getOrDefault(address, m -> Future.succeededFuture(defaultAnswer(address)))
                      .apply(msg)
                      .onSuccess(
                          reply -> {
                            if (reply instanceof Consumers.Reply withHeaders) {
                              DeliveryOptions options = new DeliveryOptions();
                              withHeaders.headers().forEach(options::addHeader);
                              msg.reply(withHeaders.body(), options);
                            } else {
                              msg.reply(reply);
                            }
                          })
                      .onFailure(
                          e -> {
                            // A 400 with field errors travels as services send it.
                            if (e instanceof InvalidRequest invalid) {
                              msg.reply(invalid);
                            } else {
                              msg.fail(
                                  e instanceof ReplyException r ? r.failureCode() : 500,
                                  e.getMessage());
                            }
                          });
                });
    consumers.add(consumer);
    consumer.completion().await(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  /**
   * Unregisters the stubs of {@code address}: from now on the gateway's requests to it find no
   * handler, as when the only instance of a service is gone.
   */
  void withdraw(String address) throws Exception {
    List<MessageConsumer<?>> gone =
        consumers.stream().filter(c -> c.address().equals(address)).toList();
    for (MessageConsumer<?> consumer : gone) {
      consumer.unregister().await(WAIT_SECONDS, TimeUnit.SECONDS);
      consumers.remove(consumer);
    }
  }

  private JsonObject defaultAnswer(String address) {
    return address.equals(UsersApi.KEYS) ? tokens.jwks() : new JsonObject();
  }

  private BlockingQueue<Message<JsonObject>> queue(String address) {
    return received.computeIfAbsent(address, a -> new LinkedBlockingQueue<>());
  }

  /** A discovery record for one instance of {@code service}, whose ping address has a stub. */
  void publish(String service) throws Exception {
    String instanceId = UUID.randomUUID().toString();
    pingAddresses.put(service, Addresses.ping(instanceId));
    stub(Addresses.ping(instanceId));
    platform()
        .discovery()
        .publish(
            new InstanceInfo(
                service,
                instanceId,
                platform().nodeId(),
                ProcessHandle.current().pid(),
                platform().version(),
                platform().managementUrl()))
        .await(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  /** A request over real HTTP; {@code body} null sends none. */
  Response http(HttpMethod method, String uri, Map<String, String> headers, String body)
      throws Exception {
    return send(CLIENT, method, uri, headers, body).await(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  /** A request from {@code from} (a loopback address), not waited for. */
  Future<Response> send(
      String from, HttpMethod method, String uri, Map<String, String> headers, String body) {
    var request = client(from).request(method, port, "127.0.0.1", uri);
    headers.forEach(request::putHeader);
    Future<HttpResponse<Buffer>> sent =
        body == null ? request.send() : request.sendBuffer(Buffer.buffer(body));
    return sent.map(
        response ->
            new Response(
                response.statusCode(),
                response.headers(),
                response.body() == null ? "" : response.body().toString(StandardCharsets.UTF_8)));
  }

  /** A JSON POST from {@code from}, not waited for. */
  Future<Response> postFrom(String from, String uri, JsonObject body) {
    return send(
        from, HttpMethod.POST, uri, Map.of("Content-Type", "application/json"), body.encode());
  }

  Response get(String uri, Map<String, String> headers) throws Exception {
    return http(HttpMethod.GET, uri, headers, null);
  }

  Response post(String uri, Map<String, String> headers, JsonObject body) throws Exception {
    Map<String, String> all = new HashMap<>(headers);
    all.putIfAbsent("Content-Type", "application/json");
    return http(HttpMethod.POST, uri, all, body.encode());
  }

  /** What came back: status, headers, body text. */
  record Response(int status, MultiMap headers, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }

    String header(String name) {
      return headers.get(name);
    }
  }

  /** The key the stub of {@link UsersApi#KEYS} publishes, to sign tokens of any shape with. */
  TestTokens tokens() {
    return tokens;
  }

  /** {@code Authorization} carrying {@code token}. */
  static Map<String, String> withToken(String token) {
    return Map.of("Authorization", "Bearer " + token);
  }

  /** {@code Authorization} for a token of {@code userId} with {@code roles}, signed by users. */
  Map<String, String> bearer(String userId, String... roles) {
    return withToken(tokens.token(userId, roles));
  }

  /** {@code Authorization} for a token that expires {@code lifetimeSeconds} from now. */
  Map<String, String> bearer(long lifetimeSeconds, String userId, String... roles) {
    return withToken(tokens.token(userId, lifetimeSeconds, roles));
  }

  @Override
  public void close() {
    clients.values().forEach(WebClient::close);
    node.stop();
  }
}
