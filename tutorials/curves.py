"""Training curves for the tutorials: the time left on long work, and a plot of cost and
accuracy per epoch (``--plot out.png``, when matplotlib is installed).

* :class:`Eta` estimates the time left from the units of work done so far (epochs,
  batches); :class:`Heartbeat` says how far a long loop has got, every few seconds;
  :func:`format_seconds` writes a duration the way people read it.
* :class:`Curves` keeps per-epoch metrics of one or more runs and :meth:`Curves.save`
  draws them: the cost in the left panel, every metric whose name holds "acc" in the
  right one.
* :func:`add_plot_argument` gives a command line its ``--plot`` option, refused at once
  (before any training) when matplotlib is missing.
"""
import collections
import statistics
import time

__all__ = ["Curves", "Eta", "Heartbeat", "add_plot_argument", "check_plot_argument",
           "format_seconds", "pyplot", "time_left"]

PLOT_HINT = "pip install matplotlib (or: pip install -e .[plot])"


def format_seconds(seconds):
    """``'under 1 s'``, ``'42 s'``, ``'3 min 05 s'``, ``'1 h 02 min'``."""
    if seconds < 1:
        return "under 1 s"
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def time_left(seconds):
    """``'about 3 min 05 s left'``, or ``'under 1 s left'``."""
    text = format_seconds(seconds)
    return f"{text} left" if seconds < 1 else f"about {text} left"


class Eta:
    """The time left of ``total`` units of work, from the durations of those done.

    The first unit is left out of the estimate once others are known, because it includes
    the compilation of the programs the later ones reuse.
    """

    def __init__(self, total):
        self.total = total
        self.durations = []

    def update(self, seconds):
        """Record one more unit that took ``seconds``; return the seconds left."""
        self.durations.append(seconds)
        steady = self.durations[1:] or self.durations
        return statistics.fmean(steady) * (self.total - len(self.durations))

    def text(self, seconds):
        """:meth:`update`, as ``', about 12 s left'`` (empty after the last unit)."""
        left = self.update(seconds)
        return f", {time_left(left)}" if len(self.durations) < self.total else ""


class Heartbeat:
    """Inside a long loop of ``total`` steps, ``beat(done)`` prints how many are done and the
    time the rest should take, at most every ``interval`` seconds (silent on short loops).

    The estimate uses the pace since the previous message; the first interval only sets the
    pace, because the first steps include compilation.
    """

    def __init__(self, total, what, interval=10.0, indent="  "):
        self.total, self.what, self.interval, self.indent = total, what, interval, indent
        self.last, self.last_done = time.perf_counter(), None

    def beat(self, done):
        now = time.perf_counter()
        if now - self.last < self.interval or done >= self.total:
            return
        if self.last_done is not None and done > self.last_done:
            left = (now - self.last) / (done - self.last_done) * (self.total - done)
            print(f"{self.indent}{done}/{self.total} {self.what}, {time_left(left)}", flush=True)
        self.last, self.last_done = now, done


def pyplot():
    """matplotlib's pyplot without a display, or ImportError saying how to install it."""
    try:
        import matplotlib
    except ImportError:
        raise ImportError(f"plotting needs matplotlib, which is not installed: {PLOT_HINT}") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def add_plot_argument(parser, what="cost and accuracy per epoch"):
    """``--plot PATH`` on ``parser``; call :func:`check_plot_argument` after parsing."""
    parser.add_argument("--plot", metavar="PATH", help=f"save a plot of {what} (needs matplotlib)")


def check_plot_argument(parser, args):
    """Refuse ``--plot`` before the training when matplotlib is missing."""
    if args.plot:
        try:
            pyplot()
        except ImportError as err:
            parser.error(f"--plot {args.plot}: {err}")


class Curves:
    """Per-epoch metrics of training runs: ``curves.add('RNN', cost=..., dev_acc=...)``
    once per epoch and run; :meth:`save` plots them."""

    def __init__(self):
        self.runs = collections.OrderedDict()

    def add(self, run, **metrics):
        series = self.runs.setdefault(run, collections.OrderedDict())
        for name, value in metrics.items():
            series.setdefault(name, []).append(value)

    def draw(self, ax_cost, ax_acc):
        """Draw cost and accuracies against the epoch onto two matplotlib axes: one colour
        per run (named in the cost panel's legend), one line style per accuracy."""
        from matplotlib.lines import Line2D
        from matplotlib.ticker import MaxNLocator
        styles = {"train": "-", "test": "--", "dev": "--", "validation": "--"}
        accuracy_styles = collections.OrderedDict()
        for k, (run, series) in enumerate(self.runs.items()):
            # later runs thinner, so that a run that follows an earlier one shows inside it
            look = dict(color=f"C{k}", linewidth=max(4.0 - 2.5 * k, 1.0), alpha=1.0 if k else 0.6,
                        marker="ox+"[k % 3], markersize=max(8 - 2 * k, 5))
            for name, values in series.items():
                epochs = range(1, len(values) + 1)
                if name == "cost":
                    ax_cost.plot(epochs, values, "-", label=run, **look)
                elif "acc" in name:
                    label = name.replace("_acc", "").replace("_", " ")
                    style = accuracy_styles.setdefault(label, styles.get(label.split()[0], ":"))
                    ax_acc.plot(epochs, [100 * v for v in values], style, label=label, **look)
        ax_cost.set(xlabel="epoch", ylabel="cost")
        ax_acc.set(xlabel="epoch", ylabel="accuracy (%)")
        n_epochs = max(len(values) for series in self.runs.values() for values in series.values())
        for ax in (ax_cost, ax_acc):
            ax.grid(alpha=0.3)
            ax.set_xlim(0.5, n_epochs + 0.5)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        # costs fall and accuracies rise: the legends go where the curves usually are not
        if ax_cost.lines:
            ax_cost.legend(fontsize="small", loc="upper right")
        if accuracy_styles:
            ax_acc.legend([Line2D([], [], color="0.35", linestyle=style)
                           for style in accuracy_styles.values()], list(accuracy_styles),
                          fontsize="small", loc="lower right")

    def save(self, path, title=""):
        """Draw cost (left) and accuracies (right) against the epoch into ``path``."""
        plt = pyplot()
        fig, (ax_cost, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.4))
        self.draw(ax_cost, ax_acc)
        if title:
            fig.suptitle(title)
        fig.tight_layout()
        fig.savefig(path, dpi=80)
        plt.close(fig)
        return path
