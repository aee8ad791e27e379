package dev.microshop.platform.request;

/** The one page-size rule of every list: {@code limit} from 1 to 100, 20 when absent. */
public final class Page {
  public static final int MAX_SIZE = 100;
  public static final int DEFAULT_SIZE = 20;

  private Page() {}
}
