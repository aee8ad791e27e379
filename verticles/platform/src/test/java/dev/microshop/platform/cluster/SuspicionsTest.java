package dev.microshop.platform.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.spi.cluster.RegistrationInfo;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SuspicionsTest {
  private static final long PATIENCE = 1_500;
  private final Suspicions suspicions = new Suspicions(PATIENCE);

  @Test
  void aMemberThatStopsAnsweringIsSuspectAfterThePatienceAndTrustedByItsNextAnswer() {
    suspicions.members(Set.of("a", "b"));
    suspicions.answered("a", 0);
    suspicions.answered("b", 0);
    suspicions.answered("a", 1_000);

    assertThat(suspicions.suspects(1_500)).isEmpty();
    assertThat(suspicions.suspects(1_501)).containsExactly("b");
    assertThat(suspicions.suspects(2_501)).containsExactlyInAnyOrder("a", "b");

    suspicions.answered("b", 2_600);
    assertThat(suspicions.suspects(2_700)).containsExactly("a");
  }

  @Test
  void aMemberThatNeverAnsweredIsNotSuspectItIsStillStarting() {
    suspicions.members(Set.of("new"));
    assertThat(suspicions.suspects(1_000_000)).isEmpty();
  }

  @Test
  void aDepartedMemberIsForgotten() {
    suspicions.members(Set.of("a"));
    suspicions.answered("a", 0);
    assertThat(suspicions.suspects(10_000)).containsExactly("a");

    suspicions.members(Set.of());
    assertThat(suspicions.suspects(10_000)).isEmpty();
  }

  @Test
  void aLateAnswerNeverMovesTheLastAnswerBack() {
    suspicions.members(Set.of("a"));
    suspicions.answered("a", 5_000);
    suspicions.answered("a", 1_000);
    assertThat(suspicions.suspects(6_000)).isEmpty();
  }

  @Test
  void messagesGoToAnsweringMembersWhileThereAreAnyAndToSuspectsOnlyWhenNoneIsLeft() {
    RegistrationInfo frozen = new RegistrationInfo("frozen", 1, false);
    RegistrationInfo twin = new RegistrationInfo("twin", 2, false);

    assertThat(AdmittingClusterManager.answering(List.of(frozen, twin), Set.of()))
        .containsExactly(frozen, twin);
    assertThat(AdmittingClusterManager.answering(List.of(frozen, twin), Set.of("frozen")))
        .containsExactly(twin);
    assertThat(AdmittingClusterManager.answering(List.of(frozen), Set.of("frozen")))
        .containsExactly(frozen);
    assertThat(AdmittingClusterManager.answering(List.of(), Set.of("frozen"))).isEmpty();
  }
}
