"""Text utilities every stage shares: cleaning what comes in at the door, and sentence
spans that index the original text (so quotes stay verbatim)."""

from .asks import Ask, AskedQuestion, read_asks
from .clean import clean_question, clean_text, printable
from .sentences import Sentence, split_sentences
from .terms import asks_for_number, has_number

__all__ = ["Ask", "AskedQuestion", "Sentence", "clean_question", "clean_text", "printable", "read_asks",
           "split_sentences", "asks_for_number", "has_number"]
