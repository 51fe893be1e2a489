/// The project's English stop-word list for title text (research mode).
///
/// Written for this project: English articles, pronouns and their possessives, auxiliary and
/// modal verbs, common prepositions and conjunctions, negations, and a few quantifiers/adverbs.
/// Words are lower-case with apostrophes removed (`"don't"` → `"dont"`), matching how research
/// mode strips punctuation before the look-up. Domain words ("women", "size", "top") are kept.
public enum StopWords {
    /// The list.
    public static let english: Set<String> = [
        // articles, determiners, quantifiers
        "a", "an", "the", "this", "that", "these", "those", "some", "any", "each", "every", "all", "both", "few",
        "more", "most", "other", "such", "no", "nor", "only", "own", "same", "so", "than", "too", "very", "much", "many",
        // pronouns and possessives
        "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your", "yours", "yourself", "yourselves",
        "he", "him", "his", "himself", "she", "her", "hers", "herself", "it", "its", "itself", "they", "them", "their",
        "theirs", "themselves", "what", "which", "who", "whom", "whose",
        // auxiliaries and modals
        "am", "is", "are", "was", "were", "be", "been", "being", "have", "has", "had", "having", "do", "does", "did",
        "doing", "will", "would", "shall", "should", "can", "could", "may", "might", "must",
        // contractions without apostrophes
        "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "cant", "couldnt", "shouldnt", "wont", "wouldnt",
        "hasnt", "havent", "hadnt", "im", "ive", "youre", "youve", "theyre", "its", "thats",
        // prepositions
        "about", "above", "across", "after", "against", "along", "among", "around", "at", "before", "behind", "below",
        "beneath", "beside", "between", "beyond", "by", "down", "during", "except", "for", "from", "in", "inside", "into",
        "near", "of", "off", "on", "onto", "out", "outside", "over", "past", "since", "through", "throughout", "to",
        "toward", "towards", "under", "until", "up", "upon", "via", "with", "within", "without",
        // conjunctions and adverbs
        "and", "or", "but", "if", "because", "as", "while", "when", "where", "why", "how", "then", "there", "here",
        "once", "again", "further", "also", "just", "not", "now", "yet", "either", "neither",
    ]
}
