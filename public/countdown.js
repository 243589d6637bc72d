// Grupprum's board: counts down the timers. Every element with data-ends
// (when the timer ends, in milliseconds since the Unix epoch) gets data-left
// ("4:59"), which the stylesheet shows. Digits only: the words around them
// come from the board.
(function () {
  "use strict";
  function two(n) {
    return (n < 10 ? "0" : "") + n;
  }
  function tick() {
    var now = Date.now();
    var clocks = document.querySelectorAll("[data-ends]");
    for (var i = 0; i < clocks.length; i++) {
      var ends = Number(clocks[i].getAttribute("data-ends"));
      var left = Math.max(0, Math.ceil((ends - now) / 1000));
      var h = Math.floor(left / 3600);
      var m = Math.floor((left % 3600) / 60);
      var s = left % 60;
      clocks[i].setAttribute("data-left", (h ? h + ":" + two(m) : m) + ":" + two(s));
    }
  }
  tick();
  setInterval(tick, 1000);
})();
