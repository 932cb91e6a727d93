/*===- qcc_hls_types.h - ap_int, ap_uint, ap_fixed for C simulation ------===*
 *
 * The arbitrary-precision types the HLS C++ that qcc emits uses, with the
 * semantics of the Vitis HLS headers for the subset qcc's code needs, so
 * that the C simulation runs (bit for bit as synthesis would compute) with
 * any C++17 compiler:
 *
 *   - ap_int<W> / ap_uint<W> (1 <= W <= 128): two's complement values of
 *     W bits. Conversion from any integer or ap type keeps the low W bits
 *     (wraps), as the vendor's assignment does.
 *   - +, -, * of two ap values give the vendor's grown type (W1 + W2 bits
 *     for *, one more than the wider operand for + and -), exact as long as
 *     it fits in 128 bits; qcc's code assigns every result to its own type
 *     right away, whose low bits are exact whatever the width of the
 *     intermediate (arithmetic modulo 2^128 keeps them).
 *   - >> (arithmetic for ap_int, logical for ap_uint) and << keep the type.
 *   - Comparisons compare values.
 *   - ap_fixed<W, I, Q, O> / ap_ufixed: W bits, I of them integer bits,
 *     built from a double with the quantization modes AP_TRN (floor),
 *     AP_TRN_ZERO, AP_RND (half up), AP_RND_ZERO, AP_RND_INF, AP_RND_CONV
 *     (half to even) and the overflow modes AP_WRAP and AP_SAT.
 *
 * With the vendor headers on the include path (Vitis HLS, or C simulation
 * in the vendor's flow), they are used instead; define QCC_HLS_OWN_TYPES to
 * use these anyway. Nothing here is synthesized: the emitted code only
 * names the types.
 *
 *===----------------------------------------------------------------------===*/

#ifndef QCC_HLS_TYPES_H
#define QCC_HLS_TYPES_H

#if !defined(QCC_HLS_OWN_TYPES) && defined(__has_include)
#if __has_include(<ap_int.h>) && __has_include(<ap_fixed.h>)
#define QCC_HLS_VENDOR_TYPES 1
#endif
#endif

#ifdef QCC_HLS_VENDOR_TYPES
#include <ap_fixed.h>
#include <ap_int.h>
#include <hls_math.h>
#include <hls_stream.h>
namespace qcc_hls {
template <typename T> T exp(T x) { return hls::exp(x); }
template <typename T> T log(T x) { return hls::log(x); }
template <typename T> T tanh(T x) { return hls::tanh(x); }
template <typename T> T sqrt(T x) { return hls::sqrt(x); }
template <typename T> T erf(T x) { return hls::erf(x); }
template <typename T> T roundeven(T x) { return hls::rint(x); }
template <typename T> T floor(T x) { return hls::floor(x); }
template <typename T> T ceil(T x) { return hls::ceil(x); }
template <typename T> T fabs(T x) { return hls::fabs(x); }
template <typename T> T fmax(T x, T y) { return hls::fmax(x, y); }
template <typename T> T fmin(T x, T y) { return hls::fmin(x, y); }
} // namespace qcc_hls
#else

#include <cmath>
#include <cstdint>

namespace qcc_hls {

typedef __int128 wide_t;
typedef unsigned __int128 uwide_t;

/* The low `w` bits of `v`, sign-extended when `is_signed`. */
constexpr wide_t wrap_bits(wide_t v, int w, bool is_signed) {
  return w >= 128 ? v
         : (is_signed && ((((uwide_t)v) >> (w - 1)) & 1))
             ? (wide_t)(((uwide_t)v) | ~((((uwide_t)1) << w) - 1))
             : (wide_t)(((uwide_t)v) & ((((uwide_t)1) << w) - 1));
}

constexpr int grown(int w) { return w > 128 ? 128 : w; }
constexpr int max_width(int a, int b) { return a > b ? a : b; }

/* The value of an ap integer (or an integer) as the wide type. */
template <int W, bool S> class ap_int_base;

template <int W, bool S> class ap_int_base {
  static_assert(W >= 1 && W <= 128, "ap_int widths are 1..128 here");

public:
  static const int width = W;
  static const bool sign_flag = S;

  /* Uninitialized, as the vendor's (static arrays start at zero and
   * need no constructor call). */
  ap_int_base() = default;
  template <int W2, bool S2>
  constexpr ap_int_base(const ap_int_base<W2, S2> &other)
      : value(wrap_bits(other.wide(), W, S)) {}
  constexpr ap_int_base(bool v) : value(v ? 1 : 0) {}
  constexpr ap_int_base(char v) : value(wrap_bits(v, W, S)) {}
  constexpr ap_int_base(signed char v) : value(wrap_bits(v, W, S)) {}
  constexpr ap_int_base(unsigned char v) : value(wrap_bits(v, W, S)) {}
  constexpr ap_int_base(short v) : value(wrap_bits(v, W, S)) {}
  constexpr ap_int_base(unsigned short v) : value(wrap_bits(v, W, S)) {}
  constexpr ap_int_base(int v) : value(wrap_bits(v, W, S)) {}
  constexpr ap_int_base(unsigned v) : value(wrap_bits(v, W, S)) {}
  constexpr ap_int_base(long v) : value(wrap_bits(v, W, S)) {}
  constexpr ap_int_base(unsigned long v) : value(wrap_bits(v, W, S)) {}
  constexpr ap_int_base(long long v) : value(wrap_bits(v, W, S)) {}
  constexpr ap_int_base(unsigned long long v) : value(wrap_bits(v, W, S)) {}
  /* As the vendor's: the value truncated toward zero, then wrapped. */
  ap_int_base(double v) : value(wrap_bits(from_double(v), W, S)) {}
  ap_int_base(float v) : value(wrap_bits(from_double(v), W, S)) {}

  /* The value, exactly (W <= 127, or 128 bits signed). */
  constexpr wide_t wide() const { return value; }
  long long to_int64() const { return (long long)value; }
  unsigned long long to_uint64() const { return (unsigned long long)value; }
  int to_int() const { return (int)value; }
  double to_double() const { return (double)value; }
  /* Bit i (0: the least significant). */
  bool operator[](int i) const { return ((uwide_t)value >> i) & 1; }

  ap_int_base operator>>(int n) const {
    if (S)
      return from_wide(value >> n);
    return from_wide((wide_t)((uwide_t)value >> n));
  }
  ap_int_base operator<<(int n) const {
    return from_wide((wide_t)((uwide_t)value << n));
  }
  template <int W2, bool S2>
  ap_int_base operator>>(const ap_int_base<W2, S2> &n) const {
    return *this >> (int)n.wide();
  }
  template <int W2, bool S2>
  ap_int_base operator<<(const ap_int_base<W2, S2> &n) const {
    return *this << (int)n.wide();
  }
  ap_int_base operator-() const { return from_wide(-value); }
  ap_int_base operator~() const { return from_wide(~value); }

  static ap_int_base from_wide(wide_t v) {
    ap_int_base r = ap_int_base(0);
    r.value = wrap_bits(v, W, S);
    return r;
  }

private:
  static wide_t from_double(double v) {
    if (!(v == v))
      return 0;
    if (v >= 0x1p126)
      return ((wide_t)1) << 126;
    if (v <= -0x1p126)
      return -(((wide_t)1) << 126);
    return (wide_t)v; /* C's conversion truncates toward zero */
  }
  wide_t value;
};

/* Binary arithmetic: the vendor's result types (capped at 128 bits). */
template <int W1, bool S1, int W2, bool S2> struct ap_result {
  /* A signed operand widens an unsigned one by a bit. */
  static const int W1s = W1 + (S2 && !S1 ? 1 : 0);
  static const int W2s = W2 + (S1 && !S2 ? 1 : 0);
  static const bool S = S1 || S2;
  typedef ap_int_base<grown(W1 + W2), S> mult;
  typedef ap_int_base<grown(max_width(W1s, W2s) + 1), S> plus;
  typedef ap_int_base<grown(max_width(W1s, W2s) + 1), true> minus;
  typedef ap_int_base<grown(max_width(W1s, W2s)), S> logic;
};

#define QCC_HLS_BINARY(op, kind, expr)                                         \
  template <int W1, bool S1, int W2, bool S2>                                  \
  typename ap_result<W1, S1, W2, S2>::kind operator op(                        \
      const ap_int_base<W1, S1> &a, const ap_int_base<W2, S2> &b) {            \
    typedef typename ap_result<W1, S1, W2, S2>::kind R;                        \
    const wide_t x = a.wide(), y = b.wide();                                   \
    return R::from_wide(expr);                                                 \
  }
QCC_HLS_BINARY(+, plus, (wide_t)((uwide_t)x + (uwide_t)y))
QCC_HLS_BINARY(-, minus, (wide_t)((uwide_t)x - (uwide_t)y))
QCC_HLS_BINARY(*, mult, (wide_t)((uwide_t)x *(uwide_t)y))
QCC_HLS_BINARY(&, logic, x &y)
QCC_HLS_BINARY(|, logic, x | y)
QCC_HLS_BINARY(^, logic, x ^ y)
#undef QCC_HLS_BINARY

/* Quotient and remainder truncate toward zero, as C's (b != 0). */
template <int W1, bool S1, int W2, bool S2>
ap_int_base<grown(W1 + (S2 ? 1 : 0)), S1 || S2>
operator/(const ap_int_base<W1, S1> &a, const ap_int_base<W2, S2> &b) {
  return ap_int_base < grown(W1 + (S2 ? 1 : 0)),
         S1 || S2 > ::from_wide(a.wide() / b.wide());
}
template <int W1, bool S1, int W2, bool S2>
ap_int_base<W1, S1> operator%(const ap_int_base<W1, S1> &a,
                              const ap_int_base<W2, S2> &b) {
  return ap_int_base<W1, S1>::from_wide(a.wide() % b.wide());
}

#define QCC_HLS_COMPARE(op)                                                    \
  template <int W1, bool S1, int W2, bool S2>                                  \
  bool operator op(const ap_int_base<W1, S1> &a,                               \
                   const ap_int_base<W2, S2> &b) {                             \
    return a.wide() op b.wide();                                               \
  }
QCC_HLS_COMPARE(==)
QCC_HLS_COMPARE(!=)
QCC_HLS_COMPARE(<)
QCC_HLS_COMPARE(<=)
QCC_HLS_COMPARE(>)
QCC_HLS_COMPARE(>=)
#undef QCC_HLS_COMPARE

inline double exp(double x) { return std::exp(x); }
inline double log(double x) { return std::log(x); }
inline double tanh(double x) { return std::tanh(x); }
inline double sqrt(double x) { return std::sqrt(x); }
inline double erf(double x) { return std::erf(x); }
inline double roundeven(double x) { return std::nearbyint(x); }
inline double floor(double x) { return std::floor(x); }
inline double ceil(double x) { return std::ceil(x); }
inline double fabs(double x) { return std::fabs(x); }
inline float exp(float x) { return std::exp(x); }
inline float log(float x) { return std::log(x); }
inline float tanh(float x) { return std::tanh(x); }
inline float sqrt(float x) { return std::sqrt(x); }
inline float erf(float x) { return std::erf(x); }
inline float roundeven(float x) { return std::nearbyint(x); }
inline float floor(float x) { return std::floor(x); }
inline float ceil(float x) { return std::ceil(x); }
inline float fabs(float x) { return std::fabs(x); }
inline double fmax(double x, double y) { return std::fmax(x, y); }
inline double fmin(double x, double y) { return std::fmin(x, y); }
inline float fmax(float x, float y) { return std::fmax(x, y); }
inline float fmin(float x, float y) { return std::fmin(x, y); }

} // namespace qcc_hls

template <int W> class ap_int : public qcc_hls::ap_int_base<W, true> {
  typedef qcc_hls::ap_int_base<W, true> Base;

public:
  ap_int() = default;
  template <typename T> constexpr ap_int(const T &v) : Base(v) {}
};

template <int W> class ap_uint : public qcc_hls::ap_int_base<W, false> {
  typedef qcc_hls::ap_int_base<W, false> Base;

public:
  ap_uint() = default;
  template <typename T> constexpr ap_uint(const T &v) : Base(v) {}
};

/* Quantization and overflow modes (the vendor's names). */
enum ap_q_mode {
  AP_RND,
  AP_RND_ZERO,
  AP_RND_MIN_INF,
  AP_RND_INF,
  AP_RND_CONV,
  AP_TRN,
  AP_TRN_ZERO
};
enum ap_o_mode { AP_SAT, AP_SAT_ZERO, AP_SAT_SYM, AP_WRAP, AP_WRAP_SM };

namespace qcc_hls {

/* A fixed-point number: `raw` * 2^(I - W), raw a W-bit integer. */
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O> class ap_fixed_base {
  static_assert(W >= 1 && W <= 64, "ap_fixed widths are 1..64 here");
  static_assert(O == AP_WRAP || O == AP_SAT,
                "only AP_WRAP and AP_SAT overflow modes are implemented");

public:
  ap_fixed_base() : raw(0) {}
  ap_fixed_base(double v) : raw(quantize(v)) {}
  ap_fixed_base(float v) : raw(quantize(v)) {}
  ap_fixed_base(int v) : raw(quantize(v)) {}

  /* The raw W-bit integer. */
  long long raw_bits() const { return raw; }
  static ap_fixed_base from_raw(long long bits) {
    ap_fixed_base r;
    r.raw = (long long)wrap_bits(bits, W, S);
    return r;
  }
  double to_double() const { return std::ldexp((double)raw, I - W); }
  operator double() const { return to_double(); }

private:
  static long long quantize(double v) {
    const long long lo = S ? -(1LL << (W - 1)) : 0;
    const long long hi =
        S ? (1LL << (W - 1)) - 1 : (long long)((1ULL << W) - 1) - 0;
    if (!(v == v))
      return 0;
    const double scaled = std::ldexp(v, W - I); /* exact */
    const double low = std::floor(scaled);
    const double frac = scaled - low; /* exact */
    double q = low;
    switch (Q) {
    case AP_TRN:
      break;
    case AP_TRN_ZERO:
      q = scaled < 0 && frac != 0 ? low + 1 : low;
      break;
    case AP_RND:
      q = frac >= 0.5 ? low + 1 : low;
      break;
    case AP_RND_ZERO:
      q = frac > 0.5 || (frac == 0.5 && scaled < 0) ? low + 1 : low;
      break;
    case AP_RND_MIN_INF:
      q = frac > 0.5 ? low + 1 : low;
      break;
    case AP_RND_INF:
      q = frac > 0.5 || (frac == 0.5 && scaled > 0) ? low + 1 : low;
      break;
    case AP_RND_CONV:
      q = frac > 0.5 || (frac == 0.5 && std::fmod(low, 2.0) != 0) ? low + 1
                                                                  : low;
      break;
    }
    if (O == AP_SAT) {
      if (q <= (double)lo)
        return lo;
      if (q >= (double)hi)
        return hi;
      return (long long)q;
    }
    /* AP_WRAP: the low W bits of the integer. */
    if (q >= 0x1p126 || q <= -0x1p126)
      return 0;
    return (long long)wrap_bits((wide_t)q, W, S);
  }
  long long raw;
};

} // namespace qcc_hls

template <int W, int I, ap_q_mode Q = AP_TRN, ap_o_mode O = AP_WRAP>
class ap_fixed : public qcc_hls::ap_fixed_base<W, I, true, Q, O> {
  typedef qcc_hls::ap_fixed_base<W, I, true, Q, O> Base;

public:
  ap_fixed() {}
  template <typename T> ap_fixed(const T &v) : Base(v) {}
};

template <int W, int I, ap_q_mode Q = AP_TRN, ap_o_mode O = AP_WRAP>
class ap_ufixed : public qcc_hls::ap_fixed_base<W, I, false, Q, O> {
  typedef qcc_hls::ap_fixed_base<W, I, false, Q, O> Base;

public:
  ap_ufixed() {}
  template <typename T> ap_ufixed(const T &v) : Base(v) {}
};

/* hls::stream for C simulation: an unbounded FIFO (the vendor's C model
 * is one too; synthesis sizes it by its DEPTH pragma). Reading an empty
 * stream returns a zero value, where the vendor's prints a warning. */
#include <stdlib.h>
#include <string.h>
namespace hls {
template <typename T> class stream {
public:
  stream() = default;
  explicit stream(const char *) {}
  stream(const stream &) = delete;
  stream &operator=(const stream &) = delete;
  ~stream() { free(items); }
  void write(const T &value) {
    if (count == capacity) {
      size_t grown = capacity ? 2 * capacity : 64;
      T *bigger = static_cast<T *>(malloc(grown * sizeof(T)));
      for (size_t i = 0; i < count; ++i)
        bigger[i] = items[(head + i) % capacity];
      free(items);
      items = bigger;
      capacity = grown;
      head = 0;
    }
    items[(head + count) % capacity] = value;
    ++count;
  }
  T read() {
    if (!count)
      return T(0);
    T value = items[head];
    head = (head + 1) % capacity;
    --count;
    return value;
  }
  void read(T &value) { value = read(); }
  bool empty() const { return count == 0; }
  bool full() const { return false; }
  size_t size() const { return count; }
  void operator<<(const T &value) { write(value); }
  void operator>>(T &value) { value = read(); }

private:
  T *items = nullptr;
  size_t capacity = 0, head = 0, count = 0;
};
} // namespace hls

#endif /* QCC_HLS_VENDOR_TYPES */
#endif /* QCC_HLS_TYPES_H */
