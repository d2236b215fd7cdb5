// A line-and-character scanner mirroring python/modgate/_sourcescan.py rule for rule.
#include "modgate/scan/scanner.h"

#include <cstddef>

namespace modgate::scan {
namespace {

constexpr std::string_view kWs = " \t\r\f\v";
constexpr std::size_t npos = std::string_view::npos;

bool is_ws(char c) { return kWs.find(c) != npos; }

bool is_ident(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u >= 0x80 || (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || c == '_';
}

int count_newlines(std::string_view text, std::size_t from, std::size_t to) {
  int count = 0;
  for (std::size_t k = from; k < to && k < text.size(); ++k) count += text[k] == '\n';
  return count;
}

// Skips the string or char literal starting at text[i]; returns the index after it.
std::size_t skip_string(std::string_view text, std::size_t i, int& line) {
  const std::size_t n = text.size();
  const char quote = text[i];
  if (quote == '"') {
    std::size_t start = i;
    while (start > 0 && is_ident(text[start - 1])) --start;
    const std::string_view prefix = text.substr(start, i - start);
    if (prefix == "R" || prefix == "uR" || prefix == "UR" || prefix == "LR" || prefix == "u8R") {
      const std::size_t window_end = std::min(n, i + 18);
      std::size_t open = npos;
      for (std::size_t k = i + 1; k < window_end; ++k) {
        if (text[k] == '(') {
          open = k;
          break;
        }
      }
      if (open != npos) {
        const std::string_view delim = text.substr(i + 1, open - i - 1);
        bool ok = true;
        for (char c : delim) {
          if (static_cast<unsigned char>(c) >= 0x80 || std::string_view(" ()\\\t\n\"").find(c) != npos) ok = false;
        }
        if (ok) {
          const std::string end_marker = ")" + std::string(delim) + "\"";
          const std::size_t end = text.find(end_marker, open + 1);
          const std::size_t stop = end == npos ? n : end + delim.size() + 2;
          line += count_newlines(text, i, stop);
          return stop;
        }
      }
    }
  }
  std::size_t j = i + 1;
  while (j < n && text[j] != quote) {
    if (text[j] == '\\') {
      if (j + 1 < n && text[j + 1] == '\n') ++line;
      j += 2;
    } else if (text[j] == '\n') {
      return j;
    } else {
      ++j;
    }
  }
  return j < n ? j + 1 : n;
}

struct Statement {
  int line;
  std::string text;
};

std::string rstrip_ws(std::string s) {
  while (!s.empty() && is_ws(s.back())) s.pop_back();
  return s;
}

std::string_view lstrip_ws(std::string_view s) {
  while (!s.empty() && is_ws(s.front())) s.remove_prefix(1);
  return s;
}

std::string_view strip_chars(std::string_view s, std::string_view chars) {
  while (!s.empty() && chars.find(s.front()) != npos) s.remove_prefix(1);
  while (!s.empty() && chars.find(s.back()) != npos) s.remove_suffix(1);
  return s;
}

std::vector<Statement> statements(std::string_view text) {
  std::vector<Statement> out;
  std::string buf;
  int start = 0;
  int depth = 0;
  int line = 1;
  const std::size_t n = text.size();
  std::size_t i = 0;
  auto flush = [&] {
    if (!buf.empty()) {
      out.push_back({start, rstrip_ws(buf)});
      buf.clear();
    }
  };
  while (i < n) {
    const char ch = text[i];
    if (ch == '#') {
      const std::size_t end = text.find('\n', i);
      i = end == npos ? n : end;
    } else if (ch == '"' || ch == '\'') {
      if (buf.empty()) start = line;
      const bool triple = i + 2 < n && text[i + 1] == ch && text[i + 2] == ch;
      std::size_t j = i + (triple ? 3 : 1);
      while (j < n) {
        const char c = text[j];
        if (c == '\\') {
          if (j + 1 < n && text[j + 1] == '\n') ++line;
          j += 2;
          continue;
        }
        if (triple && j + 2 < n && text[j] == ch && text[j + 1] == ch && text[j + 2] == ch) {
          j += 3;
          break;
        }
        if (!triple && c == ch) {
          j += 1;
          break;
        }
        if (c == '\n') {
          if (!triple) break;
          ++line;
        }
        ++j;
      }
      i = std::min(j, n);
      buf += "\"\"";
    } else if (ch == '\\' && i + 1 < n && text[i + 1] == '\n') {
      ++line;
      i += 2;
      if (!buf.empty()) buf += ' ';
    } else if (ch == '\n') {
      ++line;
      ++i;
      if (depth == 0) {
        flush();
      } else if (!buf.empty()) {
        buf += ' ';
      }
    } else if (ch == ';' && depth == 0) {
      flush();
      ++i;
    } else if (is_ws(ch) && buf.empty()) {
      ++i;
    } else {
      if (buf.empty()) start = line;
      if (ch == '(' || ch == '[' || ch == '{') {
        ++depth;
      } else if (ch == ')' || ch == ']' || ch == '}') {
        depth = depth > 0 ? depth - 1 : 0;
      }
      buf += ch;
      ++i;
    }
  }
  flush();
  return out;
}

std::string_view first_word(std::string_view s) {
  std::size_t k = 0;
  while (k < s.size() && is_ident(s[k])) ++k;
  return s.substr(0, k);
}

bool is_header_keyword(std::string_view w) {
  for (std::string_view k :
       {"if", "elif", "else", "try", "except", "finally", "with", "for", "while", "def", "class", "async"}) {
    if (w == k) return true;
  }
  return false;
}

// The statement after a compound header's top-level ':'; false when there is none.
bool after_header(std::string_view stmt, std::string_view& rest) {
  int depth = 0;
  for (std::size_t k = 0; k < stmt.size(); ++k) {
    const char ch = stmt[k];
    if (ch == '(' || ch == '[' || ch == '{') {
      ++depth;
    } else if (ch == ')' || ch == ']' || ch == '}') {
      depth = depth > 0 ? depth - 1 : 0;
    } else if (ch == ':' && depth == 0) {
      rest = lstrip_ws(stmt.substr(k + 1));
      return true;
    }
  }
  return false;
}

bool dotted(std::string_view s) {
  std::size_t begin = 0;
  while (true) {
    const std::size_t dot = s.find('.', begin);
    const std::string_view part = s.substr(begin, dot == npos ? npos : dot - begin);
    if (part.empty() || (part[0] >= '0' && part[0] <= '9')) return false;
    for (char c : part) {
      if (!is_ident(c)) return false;
    }
    if (dot == npos) return true;
    begin = dot + 1;
  }
}

std::vector<std::string> names(std::string_view text) {
  std::vector<std::string> out;
  std::size_t begin = 0;
  while (begin <= text.size()) {
    const std::size_t comma = text.find(',', begin);
    const std::string_view item = text.substr(begin, comma == npos ? npos : comma - begin);
    const std::string_view trimmed = lstrip_ws(item);
    std::size_t k = 0;
    while (k < trimmed.size() && !is_ws(trimmed[k])) ++k;
    const std::string_view word = trimmed.substr(0, k);
    if (!word.empty() && dotted(word)) out.emplace_back(word);
    if (comma == npos) break;
    begin = comma + 1;
  }
  return out;
}

}  // namespace

std::vector<Include> includes(std::string_view text) {
  std::vector<Include> found;
  const std::size_t n = text.size();
  std::size_t i = 0;
  int line = 1;
  bool at_line_start = true;
  while (i < n) {
    const char ch = text[i];
    const char nxt = i + 1 < n ? text[i + 1] : '\0';
    if (ch == '\n') {
      ++line;
      at_line_start = true;
      ++i;
    } else if (is_ws(ch)) {
      ++i;
    } else if (ch == '/' && nxt == '/') {
      const std::size_t end = text.find('\n', i);
      i = end == npos ? n : end;
    } else if (ch == '/' && nxt == '*') {
      const std::size_t end = text.find("*/", i + 2);
      const std::size_t stop = end == npos ? n : end + 2;
      line += count_newlines(text, i, stop);
      i = stop;
    } else if (ch == '#' && at_line_start) {
      std::size_t j = i + 1;
      while (j < n && (text[j] == ' ' || text[j] == '\t')) ++j;
      std::size_t k = j;
      while (k < n && is_ident(text[k])) ++k;
      const std::string_view word = text.substr(j, k - j);
      if (word == "include" || word == "include_next" || word == "import") {
        while (k < n && (text[k] == ' ' || text[k] == '\t')) ++k;
        if (k < n && (text[k] == '<' || text[k] == '"')) {
          const char close = text[k] == '<' ? '>' : '"';
          std::size_t end = k + 1;
          while (end < n && text[end] != close && text[end] != '\n') ++end;
          if (end < n && text[end] == close) {
            found.push_back({line, std::string(text.substr(k + 1, end - k - 1)), close == '>'});
          }
        }
      }
      while (true) {
        const std::size_t end = text.find('\n', i);
        if (end == npos) {
          i = n;
          break;
        }
        if (end > 0 && text[end - 1] == '\\') {
          ++line;
          i = end + 1;
          continue;
        }
        i = end;
        break;
      }
      at_line_start = false;
    } else if (ch == '"' || ch == '\'') {
      i = skip_string(text, i, line);
      at_line_start = false;
    } else {
      at_line_start = false;
      ++i;
    }
  }
  return found;
}

std::vector<Import> imports(std::string_view text) {
  std::vector<Import> found;
  for (const Statement& statement : statements(text)) {
    std::string_view stmt = statement.text;
    bool have = true;
    while (have && is_header_keyword(first_word(stmt))) have = after_header(stmt, stmt);
    if (!have || stmt.empty()) continue;
    const std::string_view word = first_word(stmt);
    std::string_view rest = stmt.substr(word.size());
    const bool space_next = !rest.empty() && is_ws(rest[0]);
    if (word == "import" && space_next) {
      for (std::string& name : names(rest)) found.push_back({statement.line, std::move(name), ""});
    } else if (word == "from" && space_next) {
      rest = lstrip_ws(rest);
      std::size_t k = 0;
      while (k < rest.size() && rest[k] == '.') ++k;
      const std::string dots(rest.substr(0, k));
      const std::string_view tail = lstrip_ws(rest.substr(k));
      std::size_t end = 0;
      while (end < tail.size() && (is_ident(tail[end]) || tail[end] == '.')) ++end;
      std::string module(tail.substr(0, end));
      std::string after(tail.substr(end));
      if (module == "import" && !dots.empty()) {
        module.clear();
        after = "import" + after;
      }
      if ((!module.empty() && !dotted(module)) || (dots.empty() && module.empty())) continue;
      std::string_view a = lstrip_ws(after);
      if (a.substr(0, 6) != "import" || (a.size() > 6 && is_ident(a[6]))) continue;
      const std::string_view list = strip_chars(strip_chars(strip_chars(a.substr(6), kWs), "()"), kWs);
      const std::string full = dots + module;
      if (list == "*") {
        found.push_back({statement.line, full, "*"});
      } else {
        for (std::string& name : names(list)) found.push_back({statement.line, full, std::move(name)});
      }
    }
  }
  return found;
}

}  // namespace modgate::scan
